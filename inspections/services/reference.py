import json
from pathlib import Path

from django.db import transaction

from inspections.models import ChecklistItem, ChecklistTemplate

DATA = Path(__file__).resolve().parent.parent / "data" / "checklists.json"


@transaction.atomic
def checklists_load() -> int:
    """Seed the first checklists; an area a department has already edited is left alone."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = 0
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
