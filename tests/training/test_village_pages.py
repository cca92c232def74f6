"""The village coverage page: which villages and communities have a trained village health
instructor, by township; a township sees its own, any other government member the city;
institutions are refused; a fixed number of queries.

The demo (training/demo.py) trains instructors in about two thirds of 泗门镇's villages through
the health bureau's programme, so 泗门镇 has villages left to cover.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Organisation, Region
from tests import permission_matrix  # noqa: F401  (gathers tests/matrix/ first)
from tests.matrix import training_programmes as matrix
from training.models import Participant, TrainingProgramme

pytestmark = pytest.mark.django_db

SIMEN, LIZHOU = matrix.TOWNSHIP_A, matrix.TOWNSHIP_B


def row_of(response, code: str):
    (row,) = [row for row in response.context["rows"] if row.township.code == code]
    return row


def figures(row) -> tuple:
    return row.villages, row.covered, row.instructors, row.percent


def test_a_village_instructor_completed_in_a_new_village_raises_its_townships_coverage_by_one(client_as):
    simen_page = client_as("simen")
    before = row_of(simen_page.get(reverse("village_coverage")), SIMEN)
    villages, covered, instructors, _percent = figures(before)
    assert 0 < covered < villages  # the demo leaves some of 泗门镇's villages uncovered
    new_village = before.uncovered[0]
    lizhou_before = figures(row_of(client_as("health").get(reverse("village_coverage")), LIZHOU))

    # The health bureau runs a village instructor programme for 泗门镇 through its pages.
    health = client_as("health")
    response = health.post(
        reverse("programme_create"),
        {"kind": "village_instructor", "title": "泗门镇新增指导员培训", "region": SIMEN,
         "starts_on": "2026-03-01", "ends_on": "2026-03-03"},
    )  # fmt: skip
    programme = TrainingProgramme.objects.get(title="泗门镇新增指导员培训")
    assert response.status_code == 302
    health.post(
        reverse("participant_create", args=[programme.pk]),
        {"kind": "village_instructor", "name": "新指导员", "village": new_village.code, "phone": "13700001234"},
    )
    person = programme.participants.get()
    # Added, even passed, but not yet completed: the village is not covered yet.
    health.post(reverse("participant_assess", args=[person.pk]), {"assessment": "passed", "score": "90"})
    assert figures(row_of(simen_page.get(reverse("village_coverage")), SIMEN)) == figures(before)

    response = health.post(
        reverse("participant_assess", args=[person.pk]),
        {"assessment": "passed", "score": "90", "completed_on": "2026-03-03", "certificate_number": "指导员001"},
    )
    assert response.status_code == 302

    after = row_of(simen_page.get(reverse("village_coverage")), SIMEN)
    assert (after.villages, after.covered, after.instructors) == (villages, covered + 1, instructors + 1)
    assert after.percent == (Decimal(100) * (covered + 1) / villages).quantize(Decimal("0.1"))
    assert new_village not in after.uncovered and len(after.uncovered) == len(before.uncovered) - 1
    # Nothing moved elsewhere.
    assert figures(row_of(client_as("health").get(reverse("village_coverage")), LIZHOU)) == lizhou_before

    # A second instructor in the same village adds an instructor, not a village.
    health.post(
        reverse("participant_create", args=[programme.pk]),
        {"kind": "village_instructor", "name": "再一位指导员", "village": new_village.code},
    )
    second = programme.participants.get(name="再一位指导员")
    health.post(
        reverse("participant_assess", args=[second.pk]),
        {"assessment": "passed", "completed_on": "2026-03-03"},
    )
    again = row_of(simen_page.get(reverse("village_coverage")), SIMEN)
    assert (again.covered, again.instructors) == (covered + 1, instructors + 2)


def test_a_township_sees_its_own_township_and_the_city_sees_every_township(client_as):
    simen = client_as("simen").get(reverse("village_coverage"))
    assert simen.status_code == 200
    assert [row.township.code for row in simen.context["rows"]] == [SIMEN]
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).count()
    for username in ("health", "leader", "fire", "hrss"):
        response = client_as(username).get(reverse("village_coverage"))
        assert response.status_code == 200 and len(response.context["rows"]) == townships
        total = response.context["total"]
        assert total.villages == Region.objects.filter(level=Region.Level.VILLAGE).count()
        assert total.covered == sum(row.covered for row in response.context["rows"]) > 0

    # The filter narrows to one township; a township outside one's sight lists nothing.
    one = client_as("health").get(reverse("village_coverage"), {"township": LIZHOU})
    assert [row.township.code for row in one.context["rows"]] == [LIZHOU]
    assert one.context["total"].villages == one.context["rows"][0].villages
    refused = client_as("simen").get(reverse("village_coverage"), {"township": LIZHOU})
    assert refused.status_code == 200 and refused.context["rows"] == []
    assert refused.context["form"].errors


@pytest.mark.parametrize("username", ["nursery1", "nursery2", "stranger", "sysadmin"])
def test_institutions_and_accounts_without_a_government_organisation_get_403(username, client_as):
    assert client_as(username).get(reverse("village_coverage")).status_code == 403


def test_the_page_lists_the_uncovered_villages_by_name(client_as):
    response = client_as("simen").get(reverse("village_coverage"))
    row = row_of(response, SIMEN)
    html = response.content.decode()
    assert f'data-township="{SIMEN}"' in html
    for village in row.uncovered:
        assert f"<li>{village.name}</li>" in html
    covered = Participant.objects.filter(
        programme__kind="village_instructor", completed_on__isnull=False, township__code=SIMEN
    ).values_list("village__name", flat=True)
    assert not any(f"<li>{name}</li>" in html for name in covered)


def _train_instructors(count: int) -> None:
    """``count`` completed village instructors spread over every village of the city."""
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code"))
    programme = TrainingProgramme.objects.create(
        kind="village_instructor", title=f"全市指导员{count}", organiser=Organisation.objects.get(code="health"),
        region=Region.objects.get(code="330281"), starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2),
    )  # fmt: skip
    Participant.objects.bulk_create(
        Participant(programme=programme, kind="village_instructor", name=f"指导员{n}",
                    village=villages[n % len(villages)], township=villages[n % len(villages)].parent,
                    assessment="passed", completed_on=date(2026, 1, 2))
        for n in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("size", [5, 300])
@pytest.mark.parametrize("username", ["health", "simen"])
def test_the_coverage_page_keeps_a_fixed_number_of_queries(size, username, client_as, django_assert_max_num_queries):
    """Measured: 11 whatever the number of instructors (the session, the user, memberships and
    duties, navigation and notifications, then the selector's three: townships, villages,
    trained instructors per village)."""
    _train_instructors(size)
    client = client_as(username)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("village_coverage"))
    assert response.status_code == 200
    assert sum(row.instructors for row in response.context["rows"]) >= min(size, 1)
