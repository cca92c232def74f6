"""Demo dashboard data: approved periodic reports (population, children under 3, health
management, the parenting survey, kindergartens) for the city's townships over the last
years, one report waiting for approval and one returned, and snapshots with a history.

The figures are samples, plainly rounded, not statistics. Past years' snapshot history is
computed "as of" each year end: counts that carry dates (institutions and slots by opening
date, people trained by completion date, reports by year) go back; the others use today's
data, so their early years are only illustrative. A second run adds nothing."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Region, User
from dashboard.models import PeriodicReport
from dashboard.services import snapshots as services

FIRST_YEAR = 2021


def _figures(index: int, year: int) -> dict:
    population = 40000 + 3700 * (index % 9) + 1500 * index
    growth = year - FIRST_YEAR
    children = population * 2 // 100
    return {
        "population": population + 200 * growth,
        "children_under_3": children,
        "children_health_managed": children * (88 + min(growth, 4) + index % 3) // 100,
        "parents_surveyed": 200,
        "parents_knowing": 150 + 8 * min(growth, 5) + index % 7,
        "kindergartens": 3 + index % 4,
        "children_in_care": children * (4 + growth) // 100,
    }


@transaction.atomic
def load_dashboard_demo() -> int:
    # The reports mark the demo as loaded: snapshots may already exist, refreshed in-process
    # after the other apps' demo data committed (the embedded mode refreshes after each change).
    if PeriodicReport.objects.exists():
        return 0
    today = timezone.localdate()
    health = User.objects.get(username="health")
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"))
    organisations = {org.jurisdiction_id: org for org in Organisation.objects.filter(kind=Organisation.Kind.TOWNSHIP)}
    created = 0
    for year in range(FIRST_YEAR, today.year + 1):
        for index, township in enumerate(townships):
            organisation = organisations[township.pk]
            status = PeriodicReport.Status.APPROVED
            if year == today.year and township.code == "330281103":
                status = PeriodicReport.Status.SUBMITTED  # 泗门镇's report waits for the health bureau
            elif year == today.year and township.code == "330281001":
                status = PeriodicReport.Status.RETURNED  # 梨洲街道 must correct its report
            elif year == today.year and index % 4 == 3:
                continue  # some townships have not reported this year yet
            PeriodicReport.objects.create(
                region=township, year=year, figures=_figures(index, year), status=status,
                source=f"【演示】{township.name}{year}年卫生健康统计年报", organisation=organisation,
                submitted_at=timezone.now(),
                decided_by=health if status != PeriodicReport.Status.SUBMITTED else None,
                decided_at=timezone.now() if status != PeriodicReport.Status.SUBMITTED else None,
                return_reason="【演示】3岁以下婴幼儿数与户籍数据不一致，请核实。" if status == "returned" else "",
            )  # fmt: skip
            created += 1
    for year in range(FIRST_YEAR, today.year):
        services.snapshots_refresh(day=date(year, 12, 31))
    services.snapshots_refresh(day=today)
    return created
