"""The certification rate page: by township for the bureaus, a township's own institutions one by
one, an institution its own rate only, nobody else anything; the figures are the selectors' and
move with the roster."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Snapshot
from dashboard.services import snapshots as snapshot_services
from tests.factories import CertificateFactory
from tests.training.helpers import add_staff, institution
from training import selectors
from training.models import Certificate

pytestmark = pytest.mark.django_db

SIMEN, LIZHOU = "330281103", "330281001"
INSTITUTION_A = "demo-simen-xingxing"  # nursery1, 泗门镇


def _institution_rows(response) -> dict[str, tuple[int, int]]:
    return {row["institution"].organisation.code: (row["rate"].certified, row["rate"].total)
            for row in response.context["institutions"]}  # fmt: skip


def test_the_bureaus_see_the_rate_of_every_township_with_the_total_and_the_target(client_as):
    for username in ("health", "hrss"):
        response = client_as(username).get(reverse("certification_rates"))
        assert response.status_code == 200
        rows, total = response.context["rows"], response.context["total"]
        assert total == selectors.city_rate()
        assert (sum(r["rate"].certified for r in rows), sum(r["rate"].total for r in rows)) == (
            total.certified,
            total.total,
        )
        assert {SIMEN, LIZHOU} <= {row["township"].code for row in rows}
        page = response.content.decode()
        assert f'data-testid="total-rate" data-rate="{total.percent}"' in page
        assert response.context["definition"]["target"] == 80
        assert response.context["institutions"] == []  # no township chosen


def test_a_township_official_sees_its_township_and_each_of_its_institutions(client_as):
    response = client_as("simen").get(reverse("certification_rates"))
    assert [row["township"].code for row in response.context["rows"]] == [SIMEN]
    rows = _institution_rows(response)
    assert INSTITUTION_A in rows
    assert {row["institution"].township.code for row in response.context["institutions"]} == {SIMEN}
    nursery1 = selectors.institution_rate(institution=institution(INSTITUTION_A))
    assert rows[INSTITUTION_A] == (nursery1.certified, nursery1.total)
    # Another township is not opened for it.
    other = client_as("simen").get(reverse("certification_rates"), {"township": LIZHOU})
    assert other.context["township"] is None and other.context["institutions"] == []
    lizhou = client_as("lizhou").get(reverse("certification_rates"))
    assert SIMEN not in {row["township"].code for row in lizhou.context["rows"]}
    assert INSTITUTION_A not in _institution_rows(lizhou)


def test_the_bureaus_open_a_township_by_its_institutions(client_as):
    response = client_as("hrss").get(reverse("certification_rates"), {"township": SIMEN})
    assert response.context["township"].code == SIMEN
    assert INSTITUTION_A in _institution_rows(response)


def test_the_figures_move_with_the_roster(cast, client_as):
    """Two caregivers join nursery1: one with a verified certificate of a kind that counts, one
    with nothing. The institution's row goes from (c, t) to (c + 1, t + 2)."""
    before = _institution_rows(client_as("simen").get(reverse("certification_rates")))[INSTITUTION_A]
    certified = add_staff(cast["nursery1"], sequence=40)
    add_staff(cast["nursery1"], sequence=41)
    CertificateFactory(staff=certified, status=Certificate.Status.VERIFIED)
    response = client_as("simen").get(reverse("certification_rates"))
    after = _institution_rows(response)[INSTITUTION_A]
    assert after == (before[0] + 1, before[1] + 2)
    percent = selectors.institution_rate(institution=institution(INSTITUTION_A)).percent
    assert re.search(rf'{re.escape(institution(INSTITUTION_A).name)}</a></th>.*?data-rate="{percent}"',
                     response.content.decode(), re.S)  # fmt: skip


def test_an_institution_sees_its_own_rate_only(client_as):
    response = client_as("nursery1").get(reverse("certification_rates"))
    assert response.status_code == 200
    own = selectors.institution_rate(institution=institution(INSTITUTION_A))
    assert response.context["rate"] == own
    page = response.content.decode()
    assert f'data-rate="{own.percent}"' in page
    assert "rows" not in response.context and "泗门镇爱心托育中心" not in page and "township-rates" not in page


@pytest.mark.parametrize("username", ["leader", "fire", "amr", "edu", "sysadmin", "stranger"])
def test_everyone_else_sees_no_rates(client_as, username):
    response = client_as(username).get(reverse("certification_rates"))
    assert response.status_code == 200
    assert response.context["rows"] == [] and response.context["total"].total == 0
    assert 'data-testid="no-rates"' in response.content.decode()


def test_the_rate_page_reads_in_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    for username, query in (("health", {"township": SIMEN}), ("simen", {}), ("nursery1", {})):
        client = client_as(username)
        with django_assert_max_num_queries(20):
            assert client.get(reverse("certification_rates"), query).status_code == 200


# --- The townships' figures are the dashboard snapshots', not a live count over every caregiver.


def _township_rows(response) -> dict[str, tuple[int, int]]:
    return {row["township"].code: (row["rate"].certified, row["rate"].total) for row in response.context["rows"]}


def test_the_townships_figures_equal_the_live_computation_and_say_when_they_were_computed(client_as):
    snapshot_services.snapshots_refresh()
    for username in ("health", "hrss", "simen", "lizhou"):
        response = client_as(username).get(reverse("certification_rates"))
        user = response.wsgi_request.user
        live_rows, live_total = selectors.township_rates(actor=user)
        assert response.context["rows"] == live_rows and response.context["total"] == live_total
        computed_at = Snapshot.objects.get(region__code=SIMEN).computed_at
        assert response.context["computed_at"] == computed_at
        assert f"{timezone.localtime(computed_at):%Y-%m-%d %H:%M}" in response.content.decode()


def test_the_townships_figures_move_when_the_snapshots_are_refreshed(cast, client_as):
    """A caregiver joining nursery1 moves 泗门镇's row at the next refresh, not before: the page
    reads what the snapshots stored instead of counting every caregiver of the city."""
    snapshot_services.snapshots_refresh()
    before = _township_rows(client_as("health").get(reverse("certification_rates")))[SIMEN]
    add_staff(cast["nursery1"], sequence=42)
    assert _township_rows(client_as("health").get(reverse("certification_rates")))[SIMEN] == before
    snapshot_services.snapshots_refresh()
    after = _township_rows(client_as("health").get(reverse("certification_rates")))[SIMEN]
    assert after == (before[0], before[1] + 1)


def test_without_a_stored_figure_the_page_counts_live(client_as):
    Snapshot.objects.all().delete()
    response = client_as("health").get(reverse("certification_rates"))
    assert response.context["computed_at"] is None
    assert response.context["total"] == selectors.city_rate()
    assert 'data-testid="computed-at"' not in response.content.decode()


def test_the_city_wide_page_counts_no_caregiver(client_as, django_assert_max_num_queries):
    snapshot_services.snapshots_refresh()
    client = client_as("health")
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(20):
        assert client.get(reverse("certification_rates")).status_code == 200
    assert not [query["sql"] for query in queries if "training_staffmember" in query["sql"]]
