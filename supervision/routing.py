"""Where a complaint goes: its category names duties (data, ``data/complaint_categories.json``),
and the holders of those duties whose jurisdiction covers the complaint's township handle it.
A township government's jurisdiction is its own township, so a duty held by every township
(``township.supervise``) reaches the one township the complaint is about."""

import json
from functools import cache
from pathlib import Path

from accounts.models import Organisation, Region

DATA = Path(__file__).resolve().parent / "data" / "complaint_categories.json"


@cache
def categories() -> dict[str, dict]:
    """Category code → {"duties": [...], "area": area of inspection or None}."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["categories"]
    return {row["code"]: {"duties": list(row["duties"]), "area": row.get("area")} for row in rows}


def handling_duties() -> frozenset[str]:
    return frozenset(duty for row in categories().values() for duty in row["duties"])


def area_of(category: str) -> str | None:
    return categories()[category]["area"]


def handlers_for(*, category: str, township: Region) -> list[Organisation]:
    """The active organisations that handle a complaint of this category in this township."""
    duties = categories()[category]["duties"]
    candidates = (
        Organisation.objects.filter(duties__code__in=duties, is_active=True)
        .filter(kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.TOWNSHIP])
        .select_related("jurisdiction")
        .distinct()
        .order_by("pk")
    )
    return [org for org in candidates if township.code.startswith(org.jurisdiction.code)]
