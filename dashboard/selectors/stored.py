"""Figures the snapshots already hold, for other apps' pages that would otherwise aggregate them
live over every row (the ``stored_figures`` hook on the dashboard's AppConfig: the apps below
the dashboard do not import it)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from dashboard.models import Snapshot


@dataclass(frozen=True)
class StoredFigures:
    # {region code: {"value": "12.3" | None, "numerator": "40", "denominator": "50"}}
    by_region: dict[str, dict]
    computed_at: datetime


def stored_figures(*, indicator: str, region_codes: Collection[str]) -> StoredFigures | None:
    """One indicator's figures for these regions from their snapshots, in one query, with the
    time of the oldest snapshot read. None when one of the regions has no snapshot or its
    snapshot no figure of that indicator yet: the caller then computes live."""
    rows = Snapshot.objects.filter(region__code__in=list(region_codes)).values_list(
        "region__code", "values", "computed_at"
    )
    by_region, times = {}, []
    for code, values, computed_at in rows:
        if indicator not in (values or {}):
            return None
        by_region[code] = values[indicator]
        times.append(computed_at)
    if set(by_region) != set(region_codes) or not times:
        return None
    return StoredFigures(by_region=by_region, computed_at=min(times))
