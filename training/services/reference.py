import json
from pathlib import Path

from django.db import transaction

from registry.services.reference import parameters_define
from training.models import CertificateKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def training_reference_load() -> int:
    """Workforce parameters and certificate kinds; what the bureau changed is kept."""
    changed = parameters_define(json.loads((DATA_DIR / "parameters.json").read_text(encoding="utf-8"))["parameters"])
    kinds = json.loads((DATA_DIR / "certificate_kinds.json").read_text(encoding="utf-8"))["kinds"]
    for order, item in enumerate(kinds):
        fields = {key: item[key] for key in ("name", "name_en", "occupation_code", "levels")}
        kind, created = CertificateKind.objects.get_or_create(
            code=item["code"], defaults={**fields, "counts_for_rate": item["counts_for_rate"], "order": order}
        )
        if created:
            changed += 1
            continue
        stale = {key: value for key, value in fields.items() if getattr(kind, key) != value}
        if stale:
            CertificateKind.objects.filter(pk=kind.pk).update(**stale)
            changed += 1
    return changed
