"""Closure (终止备案, issue 13 point 2): the institution gives a closure date and how its
enrolled children are placed; the receipt says 终止备案; the institution stays on the registry
as operating until that date, then leaves the public registry; the township is told.

The cast: ``nursery1`` heads 【演示】泗门镇小星星托育园 in 泗门镇 (``simen``); ``health`` decides."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from registry.models import Filing, Institution
from registry.selectors.public import public_institution_list
from registry.services import filings as filing_services
from tests.helpers import messages_of, text_of
from tests.registry.test_filings import INSTITUTION_A, start, submitted_filing_of_nursery1, url

pytestmark = pytest.mark.django_db


def filed_nursery1(en) -> Institution:
    first = submitted_filing_of_nursery1(en("nursery1"))
    en("health").post(url("filing_accept", first.pk))
    return Institution.objects.get(organisation__code=INSTITUTION_A)


def closure_submitted(en, closure_on, placement="转入泗门镇爱心托育中心") -> Filing:
    client = en("nursery1")
    closure = Filing.objects.filter(kind="closure", status="draft").first() or start(client, "closure")
    data = {"summary": "停办", "commitment_signed_by": "", "closure_on": closure_on.isoformat(), "placement": placement}
    client.post(url("filing_edit", closure.pk), data)
    client.post(url("filing_submit", closure.pk))
    closure.refresh_from_db()
    return closure


def listed(institution: Institution) -> bool:
    return any(row.pk == institution.pk for row in public_institution_list(text=institution.name))


def test_a_closure_needs_a_date_not_in_the_past_and_the_childrens_placement(en):
    filed_nursery1(en)
    yesterday = timezone.localdate() - timedelta(days=1)
    closure = closure_submitted(en, yesterday)
    assert closure.status == "draft"
    response = en("nursery1").post(url("filing_submit", closure.pk), follow=True)
    assert messages_of(response) == ["Give the closure date (today or later)."]
    closure = closure_submitted(en, timezone.localdate() + timedelta(days=5), placement="  ")
    assert closure.status == "draft"
    response = en("nursery1").post(url("filing_submit", closure.pk), follow=True)
    assert messages_of(response) == ["Say how the enrolled children are placed."]


def test_an_accepted_closure_keeps_the_institution_operating_until_its_date_then_it_leaves(en, cast):
    institution = filed_nursery1(en)
    closing = timezone.localdate() + timedelta(days=30)
    closure = closure_submitted(en, closing)
    assert closure.status == "submitted"
    en("health").post(url("filing_accept", closure.pk))
    closure.refresh_from_db()
    institution.refresh_from_db()
    assert closure.status == "accepted"
    assert (institution.status, institution.filing_status) == ("operating", "filed")
    assert listed(institution)
    # The township hears of it, with where the children go.
    notice = Notification.objects.get(recipient=cast["simen"], link=f"/registry/filings/{closure.pk}/")
    assert closing.isoformat() in notice.title and "转入泗门镇爱心托育中心" in notice.body

    assert filing_services.closures_apply(day=closing - timedelta(days=1)) == 0
    institution.refresh_from_db()
    assert institution.status == "operating"
    assert filing_services.closures_apply(day=closing) == 1
    institution.refresh_from_db()
    assert (institution.status, institution.filing_status) == ("closed", "cancelled")
    assert not listed(institution)
    assert filing_services.closures_apply(day=closing) == 0  # idempotent


def test_the_closure_receipt_says_closure_not_acceptance(en, client_as):
    filed_nursery1(en)
    closing = timezone.localdate() + timedelta(days=10)
    closure = closure_submitted(en, closing)
    en("health").post(url("filing_accept", closure.pk))
    receipt = text_of(client_as("nursery1").get(url("filing_receipt", closure.pk)))
    assert "终止备案" in receipt and "予以备案" not in receipt
    assert closing.isoformat() in receipt
    english = text_of(en("nursery1").get(url("filing_receipt", closure.pk)))
    assert "Closure filing receipt" in english and f"its filing ends on {closing.isoformat()}" in english


def test_the_staff_of_a_closed_institution_leave_the_certification_rate(en):
    from training.selectors import city_rate, institution_rate

    institution = filed_nursery1(en)
    own = institution_rate(institution=institution)
    assert own.total, "the demo roster has caregivers"
    before = city_rate()
    closing = timezone.localdate() + timedelta(days=3)
    en("health").post(url("filing_accept", closure_submitted(en, closing).pk))
    assert city_rate() == before  # still operating until the closure date
    filing_services.closures_apply(day=closing)
    after = city_rate()
    assert (after.total, after.certified) == (before.total - own.total, before.certified - own.certified)
