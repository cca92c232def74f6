"""Complaints by category on the dashboards (issue 15, point 7): this year's complaints received
and substantiated, by category, for each township and the city, computed into the snapshots
with the other figures (one grouped query) and shown on the city's and the townships' boards.

The cast: ``leader`` reads the city's board and every township's; ``simen`` its own township's.
"""

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Region
from dashboard import indicators
from dashboard.models import Snapshot
from dashboard.services import snapshots as snapshot_services
from supervision.models import Complaint
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db

CITY = "330281"
SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道


def _complaint(n: int, township: str, category: str, substantiated: bool | None, submitted=None) -> Complaint:
    today = timezone.localdate()
    concluded = substantiated is not None
    return Complaint.objects.create(
        tracking_code=f"CAT{n:08d}", category=category, township=Region.objects.get(code=township),
        provider_name="测试看护点", description="测试", submitted_at=submitted or timezone.now() - timedelta(hours=2),
        acknowledge_due=today, conclude_due=today + timedelta(days=5),
        status="concluded" if concluded else "received", concluded_at=timezone.now() if concluded else None,
        outcome=("substantiated" if substantiated else "not_substantiated") if concluded else "",
    )  # fmt: skip


def _add(start: int, count: int) -> None:
    plan = [
        (SIMEN, "fees", True), (SIMEN, "fees", False), (SIMEN, "food", None), (SIMEN, "abuse", True),
        (LIZHOU, "fees", True), (LIZHOU, "fire", None), (LIZHOU, "other", False),
    ]  # fmt: skip
    for n in range(start, start + count):
        township, category, substantiated = plan[n % len(plan)]
        _complaint(n, township, category, substantiated)


def _expected() -> dict[str, Counter]:
    """Counted from the complaints themselves, in Python: {region: Counter((category, kind))}."""
    year_start = timezone.make_aware(datetime(timezone.localdate().year, 1, 1))
    expected: dict[str, Counter] = {}
    for complaint in Complaint.objects.filter(submitted_at__gte=year_start).select_related("township"):
        for code in (complaint.township.code, CITY):
            counter = expected.setdefault(code, Counter())
            counter[(complaint.category, "received")] += 1
            counter[(complaint.category, "substantiated")] += complaint.outcome == "substantiated"
    return expected


def _snapshot_counter(code: str) -> Counter:
    figures = Snapshot.objects.get(region__code=code).breakdowns["complaints_by_category"]
    return Counter({(category, kind): n for category, cell in figures.items() for kind, n in cell.items() if n})


def test_the_breakdown_matches_the_complaints_of_this_year_in_each_township_and_the_city():
    _add(0, 14)
    # Last year's complaint is not this year's figure.
    _complaint(99, SIMEN, "fees", True, submitted=timezone.make_aware(datetime(timezone.localdate().year - 1, 12, 30)))
    snapshot_services.snapshots_refresh()
    expected = _expected()
    for code in (SIMEN, LIZHOU, CITY):
        assert _snapshot_counter(code) == +expected[code], code
    simen = Snapshot.objects.get(region__code=SIMEN).breakdowns["complaints_by_category"]
    assert simen["fees"]["received"] >= 4 and simen["fees"]["substantiated"] >= 2
    # The breakdown agrees with the indicator it explains.
    for code in (SIMEN, CITY):
        snapshot = Snapshot.objects.get(region__code=code)
        total = sum(cell["received"] for cell in snapshot.breakdowns["complaints_by_category"].values())
        assert str(total) == snapshot.values["complaints_received"]["value"]


def test_the_breakdown_is_one_query_whatever_the_number_of_complaints():
    ctx = indicators.load_context(timezone.localdate())
    _add(0, 3)
    with CaptureQueriesContext(connection) as few:
        indicators.complaints_by_category(ctx)
    _add(3, 60)
    with CaptureQueriesContext(connection) as many:
        indicators.complaints_by_category(ctx)
    assert len(few) == len(many) == 1


def test_the_boards_show_the_table_and_keep_their_query_count(client_as):
    _add(0, 7)
    snapshot_services.snapshots_refresh()
    leader, simen = client_as("leader"), client_as("simen")
    leader.get("/dashboard/")
    simen.get(f"/dashboard/townships/{SIMEN}/")
    small = queries_of(leader, "/dashboard/"), queries_of(simen, f"/dashboard/townships/{SIMEN}/")

    city = leader.get("/dashboard/").content.decode()
    assert 'data-testid="complaints-by-category"' in city and f'data-township="{SIMEN}"' in city
    expected = _expected()
    page = simen.get(f"/dashboard/townships/{SIMEN}/").content.decode()
    assert 'data-testid="complaints-categories"' in page
    fees = page.split('data-category="fees"', 1)[1].split("</tr>", 1)[0]
    received, substantiated = expected[SIMEN][("fees", "received")], expected[SIMEN][("fees", "substantiated")]
    assert f'<td class="text-end">{received}</td><td class="text-end">{substantiated}</td>' in fees

    _add(7, 70)
    snapshot_services.snapshots_refresh()
    large = queries_of(leader, "/dashboard/"), queries_of(simen, f"/dashboard/townships/{SIMEN}/")
    assert large == small
