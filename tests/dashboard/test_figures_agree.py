"""Issue 13, point 14: every dashboard figure agrees with the list it links to, on the demo.

The snapshots are refreshed from the demo, then each linked number of the city dashboard (the
health bureau) and of 泗门镇's (its township official) is compared with what the list behind its
link holds in the viewer's own scope: its row count, or a sum or count over its rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Region
from dashboard.selectors import dashboard
from dashboard.services import snapshots as snapshot_services
from inspections.models import RectificationOrder

pytestmark = pytest.mark.django_db

SIMEN = "330281103"


def rows_of(response):
    """Every row of a paginated list page (not only the first page)."""
    return list(response.context["page"].paginator.object_list)


def count(response):
    return response.context["page"].paginator.count


def slot_sum(response, **where):
    return sum((row.slots or 0) for row in rows_of(response) if all(getattr(row, k) == v for k, v in where.items()))


def township_rate(response):
    """The rate page's figure for the township asked for (the city's total without one)."""
    township = response.wsgi_request.GET.get("township")
    if not township:
        return response.context["total"]
    return next(row["rate"] for row in response.context["rows"] if row["township"].code == township)


# indicator code -> {figure part: measure of the linked list's response}
MEASURES = {
    "institutions": {"value": count},
    "new_institutions": {"value": count},
    "slots": {"value": slot_sum},
    "new_slots": {"value": slot_sum},
    "demonstration_institutions": {"value": count},
    "inclusive_share": {"numerator": lambda r: slot_sum(r, inclusive=True), "denominator": slot_sum},
    "slots_per_1000": {"numerator": slot_sum},
    "community_coverage": {"numerator": lambda r: len({row.village_id for row in rows_of(r)})},
    "kindergarten_class_rate": {"numerator": count},
    "enrolment_rate": {"numerator": lambda r: sum((row.enrolled or 0) for row in rows_of(r))},
    "residential_areas_meeting": {"denominator": count},
    "certification_rate": {
        "numerator": lambda r: township_rate(r).certified,
        "denominator": lambda r: township_rate(r).total,
    },
    "village_instructors_trained": {"value": lambda r: r.context["total"].instructors},
    "village_coverage": {
        "numerator": lambda r: r.context["total"].covered,
        "denominator": lambda r: r.context["total"].villages,
    },
    # A site may cover villages of several townships: those of the dashboard's township count.
    "guidance_coverage": {
        "numerator": lambda r: len(
            {
                v.pk
                for site in rows_of(r)
                for v in site.covered_villages.all()
                if v.code.startswith(r.wsgi_request.GET.get("township", ""))
            }
        )
    },  # fmt: skip
    # The list of filings decided late this year or waiting past the limit: the ones missing.
    "filing_on_time": {"late": count},
    "review_pass_rate": {"numerator": count},
    "overdue_rectifications": {"value": count},
    "incidents_per_1000_slots": {"numerator": count},
}
# Linked, but to a list whose rows are not what the figure counts (said in the report).
NOT_COMPARED = {
    "trainers_trained": "the figure counts trained people; the link lists programmes",
    "health_management_rate": "report figures: the link lists the periodic reports",
    "parenting_knowledge_rate": "report figures: the link lists the periodic reports",
    "children_under_3": "report figures: the link lists the periodic reports",
    "kindergartens": "report figures: the link lists the periodic reports",
}


def figure_part(row, part):
    if part == "late":
        return row.denominator - row.numerator
    return getattr(row, part)


@pytest.mark.parametrize(
    ("username", "region_code"), [("health", "330281"), ("simen", SIMEN), ("health", SIMEN), ("health", "330281001")]
)
def test_every_linked_figure_agrees_with_its_list(client_as, cast, username, region_code):
    # The demo's only order (in 梨洲街道) passes its deadline, so that the overdue count is not 0.
    RectificationOrder.objects.filter(status="open").update(deadline=timezone.localdate() - timedelta(days=1))
    snapshot_services.snapshots_refresh()
    board = dashboard(actor=cast[username], region=Region.objects.get(code=region_code))
    client = client_as(username)
    compared = set()
    for row in board.rows:
        code = row.indicator.code
        if not row.link or code in NOT_COMPARED:
            continue
        assert code in MEASURES, f"{code} links to {row.link}: say how its list agrees with it"
        response = client.get(row.link)
        assert response.status_code == 200, row.link
        for part, measure in MEASURES[code].items():
            expected = figure_part(row, part)
            assert expected is not None, (code, part)
            assert Decimal(measure(response)) == expected, f"{code} {part} on {row.link}"
        compared.add(code)
    assert compared == set(MEASURES)


def test_the_filing_on_time_rate_counts_the_filings_waiting_past_the_limit(client_as, cast):
    """The demo has two submitted filings past the 5-working-day limit: the rate is below 100%."""
    snapshot_services.snapshots_refresh()
    city = dashboard(actor=cast["health"], region=Region.objects.get(code="330281"))
    row = next(row for row in city.rows if row.indicator.code == "filing_on_time")
    overdue = client_as("health").get("/registry/filings/?overdue=1").context["page"].paginator.count
    assert overdue == 2
    assert row.denominator - row.numerator >= overdue
    assert row.value is None or row.value < 100
