"""Issue 13, point 6: the open annual review cycle follows the registry. An institution filed
while a cycle is open joins it (a review, a pre-filled self-report, a notice); one closed or
revoked leaves it (its undecided review is withdrawn and no longer waits for a decision)."""

import re

import pytest
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification
from inspections.models import AnnualReview, ReviewCycle
from inspections.services import cycles
from registry.models import Filing, Institution, Registration
from registry.services import filings as filing_services
from registry.services import registrations as registration_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return ReviewCycle.objects.get(status=ReviewCycle.Status.OPEN, year=timezone.localdate().year)


def undecided_count(actor, cycle) -> int:
    """How many reviews closing the cycle says are still undecided."""
    with pytest.raises(ApplicationError) as raised:
        cycles.cycle_close(actor=actor, cycle=cycle)
    return int(re.search(r"\d+", str(raised.value.message)).group(0))


def test_an_institution_filed_while_the_cycle_is_open_joins_it(cast, cycle):
    filing = Filing.objects.filter(status="submitted", kind="initial").order_by("pk").first()
    institution = filing.institution
    assert not AnnualReview.objects.filter(cycle=cycle, institution=institution).exists()
    head = UserFactory(member_of=institution.organisation, member_of__role="head")
    filing_services.filing_accept(actor=cast["health"], filing=filing)
    review = AnnualReview.objects.get(cycle=cycle, institution=institution)
    assert review.status == AnnualReview.Status.AWAITING_REPORT
    assert review.self_report.data["enrolment"] is not None  # pre-filled from the registry
    assert Notification.objects.filter(recipient=head, title__contains=str(cycle.year)).exists()
    assert AuditEvent.objects.filter(event="review.joined", object_id=str(review.pk)).exists()


def test_a_revoked_institution_leaves_the_open_cycle(cast, cycle):
    review = (
        AnnualReview.objects.filter(cycle=cycle, result="", institution__registrations__status="active")
        .select_related("institution")
        .first()
    )
    registration = Registration.objects.get(institution=review.institution, status="active")
    before = undecided_count(cast["health"], cycle)
    registration_services.registration_revoke(
        actor=cast[registration.authority.code], registration=registration, reason="测试撤销",
        revoked_on=timezone.localdate(),
    )  # fmt: skip
    review.refresh_from_db()
    assert (review.status, review.result) == (AnnualReview.Status.CLOSED, "")
    assert "撤出" in review.decision_reason  # the reason the review page shows
    assert undecided_count(cast["health"], cycle) == before - 1


def test_a_closed_institution_leaves_the_open_cycle_and_is_not_taken_in_again(cast, cycle):
    review = AnnualReview.objects.filter(cycle=cycle, result="").select_related("institution").first()
    institution = review.institution
    Filing.objects.filter(institution=institution, status__in=Filing.OPEN_STATUSES).delete()
    closure = Filing.objects.create(
        institution=institution, kind=Filing.Kind.CLOSURE, status=Filing.Status.SUBMITTED,
        submitted_at=timezone.now(), due_on=timezone.localdate(),
    )  # fmt: skip
    filing_services.filing_accept(actor=cast["health"], filing=closure)
    assert Institution.objects.get(pk=institution.pk).status == Institution.Status.CLOSED
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.CLOSED and review.result == ""
    assert AnnualReview.objects.filter(cycle=cycle, institution=institution).count() == 1
