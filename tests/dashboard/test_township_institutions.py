"""A township's own institutions on its dashboard: each with its state and what it is waiting
for (unfiled, filing returned, self-report due, order open, certificate expired), linked to
its page; only the township's own; a fixed number of queries whatever their number."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Region
from dashboard import selectors
from inspections.models import RectificationOrder, SelfReport
from registry.models import Institution
from tests.factories import CertificateFactory, InstitutionFactory, ReviewCycleFactory, StaffMemberFactory
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db

SIMEN, LIZHOU = "330281103", "330281001"  # 泗门镇 (simen), 梨洲街道 (lizhou)


def _rows(html: str) -> dict[str, list[str]]:
    """Institution id → the codes of what it waits for, from the page."""
    table = re.search(r'data-testid="township-institutions".*?</table>', html, re.S).group(0)
    rows = {}
    for pk, body in re.findall(r'<tr data-institution="(\d+)">(.*?)</tr>', table, re.S):
        assert f'href="/registry/institutions/{pk}/"' in body  # linked to its page
        rows[pk] = re.findall(r'data-waiting="([a-z_]+)"', body)
    return rows


def test_a_township_sees_only_its_own_institutions_on_its_dashboard(client_as):
    simen = _rows(client_as("simen").get(f"/dashboard/townships/{SIMEN}/").content.decode())
    lizhou = _rows(client_as("lizhou").get(f"/dashboard/townships/{LIZHOU}/").content.decode())
    in_service = Institution.objects.exclude(status__in=["closed", "revoked"])
    assert set(simen) == {str(pk) for pk in in_service.filter(township__code=SIMEN).values_list("pk", flat=True)}
    assert set(lizhou) == {str(pk) for pk in in_service.filter(township__code=LIZHOU).values_list("pk", flat=True)}
    assert simen and lizhou and not set(simen) & set(lizhou)
    assert client_as("lizhou").get(f"/dashboard/townships/{SIMEN}/").status_code == 404


def test_each_institution_says_what_it_is_waiting_for(client_as, cast):
    today = timezone.localdate()
    nursery2 = Institution.objects.get(organisation__memberships__user__username="nursery2")
    lizhou = _rows(client_as("lizhou").get(f"/dashboard/townships/{LIZHOU}/").content.decode())
    assert "filing_returned" in lizhou[str(nursery2.pk)] and "unfiled" not in lizhou[str(nursery2.pk)]

    quiet = InstitutionFactory(filed=True, name="测试·无待办")
    unfiled = InstitutionFactory(name="测试·未备案")
    ordered = InstitutionFactory(filed=True, name="测试·整改中")
    RectificationOrder.objects.create(
        institution=ordered, number="测试〔2026〕9001号", items=[], deadline=today + timedelta(days=10),
        issued_by=cast["health"],
    )  # fmt: skip
    expired = InstitutionFactory(filed=True, name="测试·证书过期")
    CertificateFactory(staff=StaffMemberFactory(institution=expired), expires_on=today - timedelta(days=1))
    renewed = InstitutionFactory(filed=True, name="测试·证书已换新")
    member = StaffMemberFactory(institution=renewed)
    CertificateFactory(staff=member, expires_on=today - timedelta(days=1))
    CertificateFactory(staff=member, expires_on=today + timedelta(days=365))
    health_card = InstitutionFactory(filed=True, name="测试·健康证过期")
    StaffMemberFactory(institution=health_card, health_certificate_expires=today - timedelta(days=1))
    cycle = ReviewCycleFactory(year=today.year + 1)  # the demo holds this year's cycle
    reporting = SelfReport.objects.filter(review__cycle=cycle, review__institution=quiet).get()
    SelfReport.objects.filter(pk=reporting.pk).update(status=SelfReport.Status.SUBMITTED)

    rows = _rows(client_as("simen").get(f"/dashboard/townships/{SIMEN}/").content.decode())
    assert rows[str(quiet.pk)] == []
    assert rows[str(unfiled.pk)] == ["unfiled"]
    assert rows[str(ordered.pk)] == ["self_report_due", "order_open"]
    assert rows[str(expired.pk)] == ["self_report_due", "certificate_expired"]
    assert rows[str(renewed.pk)] == ["self_report_due"]
    assert rows[str(health_card.pk)] == ["self_report_due", "certificate_expired"]
    # Those waiting come first.
    board = selectors.township_institutions(actor=cast["simen"], region=Region.objects.get(code=SIMEN))
    waiting = [bool(row.waiting) for row in board]
    assert waiting == sorted(waiting, reverse=True)


def test_the_institutions_cost_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    client = client_as("simen")
    url = f"/dashboard/townships/{SIMEN}/"
    client.get(url)
    before = queries_of(client, url)
    for index in range(6):
        institution = InstitutionFactory(filed=index % 2 == 0)
        StaffMemberFactory(institution=institution, health_certificate_expires=date(2020, 1, 1))
    after = queries_of(client, url)
    assert after == before
    with django_assert_max_num_queries(before):
        assert client.get(url).status_code == 200
