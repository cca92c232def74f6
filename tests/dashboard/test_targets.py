"""Targets: every member reads them; the health bureau sets them per indicator, region (the city
or one township) and year, and deletes them; everyone else who writes gets 403. The city's 2020
and 2025 targets and the provincial figures are loaded as reference data."""

from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Region
from dashboard import selectors
from dashboard.models import Indicator, Target
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

SIMEN, CITY = "330281103", "330281"
YEAR = timezone.localdate().year


def a_target(**overrides) -> Target:
    fields = {
        "indicator": Indicator.objects.get(code="slots_per_1000"),
        "region": Region.objects.get(code=SIMEN),
        "year": 2031,
        "value": Decimal("7.5"),
        "source": "测试",
        **overrides,
    }
    return Target.objects.create(**fields)


def test_every_member_reads_the_targets_with_name_unit_region_source_and_who_set_them(en):
    a_target()
    response = en("hrss").get(reverse("target_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == Target.objects.count()
    assert not response.context["can_manage"] and response.context["set_form"] is None
    html = response.content.decode()
    reference = Target.objects.get(indicator__code="new_slots", region__code=CITY, year=2020)
    for text in (reference.indicator.name_en, "per 1,000 people", "泗门镇", "2031", "7.5", reference.source,
                 "Reference data"):  # fmt: skip
        assert text in html
    assert reverse("target_set") not in html


def test_the_target_list_filters_by_indicator_and_region(client_as):
    a_target()
    client = client_as("leader")
    page = client.get(reverse("target_list"), {"indicator": "slots_per_1000", "region": SIMEN}).context["page"]
    assert [(t.indicator.code, t.region.code, t.year) for t in page] == [("slots_per_1000", SIMEN, 2031)]
    response = client.get(reverse("target_list"), {"indicator": "no-such-indicator"})
    assert response.context["page"].paginator.count == 0 and response.context["form"].errors


def test_the_health_bureau_sets_a_target_for_a_township_and_its_dashboard_uses_it(en, cast):
    health = en("health")
    page = health.get(reverse("target_list"))
    assert page.context["can_manage"] and reverse("target_set") in page.content.decode()
    response = health.post(
        reverse("target_set"),
        {"indicator": "health_management_rate", "region": SIMEN, "year": str(YEAR), "value": "95.5",
         "source": "泗门镇年度目标"},
        follow=True,
    )  # fmt: skip
    target = Target.objects.get(indicator__code="health_management_rate", region__code=SIMEN, year=YEAR)
    assert (target.value, target.source, target.set_by.code) == (Decimal("95.5"), "泗门镇年度目标", "health")
    assert messages_of(response) == [f"Target set: Health management rate of children under 3, 泗门镇, {YEAR}: 95.5."]
    assert AuditEvent.objects.filter(event="target.set", object_id=str(target.pk)).exists()
    board = selectors.dashboard(actor=cast["simen"], region=Region.objects.get(code=SIMEN))
    row = next(row for row in board.rows if row.indicator.code == "health_management_rate")
    assert row.target == target

    # Setting it again replaces the value: still one target for the three.
    health.post(reverse("target_set"), {"indicator": "health_management_rate", "region": SIMEN, "year": str(YEAR),
                                        "value": "96"})  # fmt: skip
    assert Target.objects.filter(indicator__code="health_management_rate", region__code=SIMEN, year=YEAR).count() == 1
    target.refresh_from_db()
    assert target.value == Decimal("96")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"indicator": "health_management_rate", "value": "120"}, "value"),
        ({"indicator": "health_management_rate", "value": "-1"}, "value"),
        ({"indicator": "health_management_rate", "value": "很多"}, "value"),
        ({"indicator": "no-such-indicator", "value": "5"}, "indicator"),
        ({"indicator": "slots", "value": "5", "region": "330281103001"}, "region"),
        ({"indicator": "slots", "value": "5", "year": "1999"}, "year"),
    ],
)
def test_bad_targets_are_refused_on_the_form_and_nothing_changes(en, data, field):
    before = list(Target.objects.order_by("pk").values_list("pk", "value"))
    response = en("health").post(reverse("target_set"), {"region": SIMEN, "year": str(YEAR), **data})
    assert response.status_code == 200
    assert field in response.context["set_form"].errors
    assert 'data-testid="form-errors"' in response.content.decode()
    assert list(Target.objects.order_by("pk").values_list("pk", "value")) == before


def test_the_health_bureau_deletes_a_target(en):
    target = a_target()
    response = en("health").post(reverse("target_delete", kwargs={"pk": target.pk}), follow=True)
    assert messages_of(response)[0].startswith("Target deleted:")
    assert not Target.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("username", ["leader", "hrss", "simen", "nursery1", "fire"])
def test_everyone_else_gets_403_on_every_target_write(client_as, username):
    target = a_target()
    client = client_as(username)
    assert client.get(reverse("target_list")).status_code == 200
    data = {"indicator": "slots", "region": SIMEN, "year": str(YEAR), "value": "1"}
    assert client.post(reverse("target_set"), data).status_code == 403
    assert client.post(reverse("target_delete", kwargs={"pk": target.pk})).status_code == 403
    assert Target.objects.filter(pk=target.pk, value=Decimal("7.5")).exists()
    assert not Target.objects.filter(indicator__code="slots", region__code=SIMEN, year=YEAR).exists()


def test_operators_and_the_stranger_see_no_target(client_as):
    target = a_target()
    for username in ("sysadmin", "stranger"):
        client = client_as(username)
        assert client.get(reverse("target_list")).context["page"].paginator.count == 0
        assert client.post(reverse("target_delete", kwargs={"pk": target.pk})).status_code == 404


def test_the_target_list_costs_the_same_with_more_targets(client_as):
    client = client_as("health")
    client.get(reverse("target_list"))
    with CaptureQueriesContext(connections["default"]) as small:
        client.get(reverse("target_list"))
    indicators = list(Indicator.objects.all())
    townships = list(Region.objects.filter(level="township"))
    Target.objects.bulk_create(
        Target(indicator=indicator, region=township, year=2040 + n, value=Decimal(n))
        for indicator in indicators
        for township in townships
        for n in range(3)
    )
    with CaptureQueriesContext(connections["default"]) as large:
        response = client.get(reverse("target_list"))
    assert response.context["page"].paginator.count > 1000
    assert len(large) == len(small)
