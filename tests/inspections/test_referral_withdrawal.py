"""Referrals and withdrawal (issue 13 point 10): the township and the institution hear of each
step of a referral (raised, decided), and a withdrawal by the registering authority ends the
filing, closes the roster's employment (staff active nowhere) and takes the institution out of
the certification rate, the public registry and the open review cycles.

The cast: ``nursery1`` heads 【演示】泗门镇小星星托育园 in 泗门镇 (``simen``), a company registered
by market supervision (``amr``); ``lizhou`` is another township."""

import pytest
from django.utils import timezone

from accounts.models import Notification
from inspections.models import AnnualReview, RevocationReferral
from inspections.services import cycles, decisions
from registry import selectors as registry_selectors
from registry.models import Institution
from tests.factories import ReviewCycleFactory
from training.models import StaffMember
from training.selectors.rates import certification_rates
from training.selectors.staff import roster_matches

pytestmark = pytest.mark.django_db
NURSERY1 = "【演示】泗门镇小星星托育园"


def raised_referral(cast) -> RevocationReferral:
    """nursery1 filed and operating, failed in 2025, in the demo's open 2026 cycle: referred."""
    Institution.objects.filter(name=NURSERY1).update(
        status=Institution.Status.OPERATING, filing_status=Institution.FilingStatus.FILED, filing_number="测试"
    )
    ReviewCycleFactory(year=2025)
    AnnualReview.objects.filter(institution__name=NURSERY1, cycle__year=2025).update(
        result=AnnualReview.Result.FAIL, final_result=AnnualReview.Result.FAIL
    )
    # Filed now, it joins the demo's open 2026 cycle.
    cycles.cycle_membership_sync(actor=None, institution_id=Institution.objects.get(name=NURSERY1).pk)
    review = AnnualReview.objects.get(institution__name=NURSERY1, cycle__year=2026)
    referral = decisions.referral_raise_if_due(actor=cast["health"], review=review)
    assert referral is not None
    return referral


def told(username: str, title_part: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient__username=username, title__contains=title_part).values_list(
            "body", flat=True
        )
    )


def test_the_township_and_the_institution_hear_that_a_referral_was_raised(cast):
    referral = raised_referral(cast)
    link = f"/inspections/referrals/{referral.pk}/"
    for username in ("simen", "nursery1", "amr"):
        assert Notification.objects.filter(recipient__username=username, link=link).exists(), username
    assert not told("lizhou", NURSERY1)  # another township hears nothing


def test_the_township_and_the_institution_hear_the_decision_whichever_it_is(cast):
    referral = raised_referral(cast)
    decisions.referral_decide(actor=cast["amr"], referral=referral, withdraw=False, note="已整改到位")
    for username in ("simen", "nursery1"):
        bodies = told(username, NURSERY1)
        assert any("已整改到位" in body for body in bodies), username


def test_a_withdrawal_closes_the_roster_and_takes_the_institution_out_of_everything(cast):
    referral = raised_referral(cast)
    institution = referral.institution
    today = timezone.localdate()
    active = list(StaffMember.objects.filter(StaffMember.active_q(today), institution=institution))
    assert active  # the demo roster
    assert roster_matches(id_hash=active[0].id_hash)
    assert NURSERY1 in [row.name for row in registry_selectors.public_institution_list(text="小星星")]

    decisions.referral_decide(actor=cast["amr"], referral=referral, withdraw=True, note="连续两年年审不合格，收回登记")

    institution.refresh_from_db()
    assert (institution.status, institution.filing_status) == ("revoked", "cancelled")  # the filing ends
    # Employment ends today: the staff are active nowhere and no longer flagged as doubled.
    assert not StaffMember.objects.filter(StaffMember.active_q(today), institution=institution).exists()
    assert set(StaffMember.objects.filter(pk__in=[m.pk for m in active]).values_list("left_on", flat=True)) == {today}
    assert roster_matches(id_hash=active[0].id_hash) == []
    staff = StaffMember.objects.filter(institution=institution)
    assert certification_rates(staff, by=None)[None].total == 0  # out of the certification rate
    assert NURSERY1 not in [row.name for row in registry_selectors.public_institution_list(text="小星星")]
    review = AnnualReview.objects.get(institution=institution, cycle__year=2026)
    assert review.status == AnnualReview.Status.CLOSED and review.result == AnnualReview.Result.NONE  # open cycle
    for username in ("simen", "nursery1"):
        assert any("连续两年年审不合格" in body for body in told(username, NURSERY1)), username
