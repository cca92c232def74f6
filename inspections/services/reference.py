import json
from pathlib import Path

from django.db import transaction

from inspections.models import ChecklistItem, ChecklistTemplate
from registry.services.reference import parameters_define

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA = DATA_DIR / "checklists.json"


@transaction.atomic
def checklists_load() -> int:
    """Seed the first checklists; an area a department has already edited is left alone. The
    review's parameters (how severities weigh) are defined too; a value the bureau set is kept."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = parameters_define(json.loads((DATA_DIR / "parameters.json").read_text(encoding="utf-8"))["parameters"])
    for area, spec in data["areas"].items():
        template, new = ChecklistTemplate.objects.get_or_create(
            area=area, year=data["year"], defaults={"title": spec["title"]}
        )
        if not new:
            continue
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, code=code, text=text, severity=severity, order=index)
            for index, (code, text, severity) in enumerate(spec["items"])
        )
        created += 1 + len(spec["items"])
    return created
