"""The dashboard's reference data: indicators, shipped targets and parameters."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from accounts.models import Region
from dashboard.models import Indicator, Target
from registry.services.reference import parameters_define

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PARAMETERS = [
    {
        "key": "dashboard.baseline_year",
        "value": 2020,
        "min": 2000,
        "max": 2100,
        "whole": True,
        "label": "看板“新增”指标的基准年",
        "source": "余姚市实施意见",
    },
    {
        "key": "dashboard.on_track_percent",
        "value": 90,
        "min": 1,
        "max": 100,
        "whole": False,
        "label": "看板“接近目标”的界线（达到目标值的百分比）",
        "source": "parameter",
    },
    {
        "key": "dashboard.report_due_days",
        "value": 31,
        "min": 1,
        "max": 365,
        "whole": True,
        "label": "定期报表截止日（报告期结束后天数）",
        "source": "parameter",
    },
    {
        "key": "dashboard.report_remind_days",
        "value": 7,
        "min": 1,
        "max": 90,
        "whole": True,
        "label": "定期报表截止前提醒（天数）",
        "source": "parameter",
    },
]


@transaction.atomic
def dashboard_reference_load() -> int:
    """Indicators (kept in step with the data file), the shipped targets and parameters
    (values the health bureau changed are kept)."""
    changed = parameters_define(PARAMETERS)
    items = json.loads((DATA_DIR / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    for order, item in enumerate(items):
        fields = {
            "name": item["name"], "name_en": item["name_en"], "unit": item["unit"], "direction": item["direction"],
            "levels": item["levels"], "source": item["source"], "computation": item.get("computation", ""),
            "numerator": item.get("numerator", ""), "denominator": item.get("denominator", ""),
            "drilldown": item.get("drilldown", ""), "description": item.get("description", ""), "order": order,
        }  # fmt: skip
        indicator, created = Indicator.objects.get_or_create(code=item["code"], defaults=fields)
        stale = {key: value for key, value in fields.items() if getattr(indicator, key) != value}
        if stale and not created:
            Indicator.objects.filter(pk=indicator.pk).update(**stale)
        changed += created or bool(stale)
    regions = {region.code: region for region in Region.objects.filter(level__in=["city", "township"])}
    by_code = {indicator.code: indicator for indicator in Indicator.objects.all()}
    for item in json.loads((DATA_DIR / "targets.json").read_text(encoding="utf-8"))["targets"]:
        _, created = Target.objects.get_or_create(
            indicator=by_code[item["indicator"]], region=regions[item["region"]], year=item["year"],
            defaults={"value": Decimal(str(item["value"])), "source": item["source"]},
        )  # fmt: skip
        changed += created
    return changed
