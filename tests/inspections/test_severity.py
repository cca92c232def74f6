"""Severity weighs (issue 13, point 8): a failed 否决项 fails the review (the year counts as failed,
and the institution still rectifies); 一般项 failures alone lead to a rectification order with a
pass on verification; 重点项 weigh as the bureau sets in ``review.major_failures_fail``, a parameter it edits on the
parameters page and which the checklist page states: no national figure, so it starts empty
(重点项 weigh as 一般项) until the bureau sets a number.

The demo checklists: fire F1 and F2 are veto items, F3 and F4 major, F5 minor. The cast
(tests/conftest.py): ``health`` decides and edits parameters, ``fire`` records fire findings
and verifies, ``nursery1`` heads institution A."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Membership, User
from inspections.models import AnnualReview, Area, ChecklistItem, RectificationOrder, RevocationReferral
from inspections.services import decisions, findings, severity
from registry.models import Parameter
from tests.factories import ReviewCycleFactory, UserFactory
from tests.helpers import messages_of, text_of
from tests.inspections.test_reviews import all_results, inspecting_review_with_a_failed_fire_check, snapshot, url

pytestmark = pytest.mark.django_db


def review_failing(cast, *codes: str) -> AnnualReview:
    """The demo review under inspection, its fire check failing exactly ``codes``."""
    review = inspecting_review_with_a_failed_fire_check(cast)
    results = all_results(Area.FIRE)
    for code in codes:
        results[code] = ("fail", f"{code} 不符合")
    findings.finding_record(
        actor=cast["fire"], institution=review.institution, review=review, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=results,
    )  # fmt: skip
    return AnnualReview.objects.get(pk=review.pk)


def head_of(review: AnnualReview) -> User:
    """Someone who answers for the review's institution (the demo has no account for it)."""
    return UserFactory(member_of=review.institution.organisation, member_of__role=Membership.Role.HEAD)


def fail_data(*codes: str) -> dict:
    return {
        "result": "fail", "reason": "检查不合格", "checklist_items": [f"fire:{code}" for code in codes],
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }  # fmt: skip


def set_major_limit(en, value) -> None:
    """The bureau edits the parameter on the parameters page."""
    response = en("health").post(
        reverse("parameter_update"), {"key": severity.MAJOR_FAILURES_PARAMETER, "value": value}, follow=True
    )
    assert messages_of(response) == ["Standard saved."], messages_of(response)


def test_every_seeded_check_has_a_severity_and_the_major_rule_is_a_bounded_parameter():
    assert set(ChecklistItem.objects.values_list("severity", flat=True)) == {"veto", "major", "minor"}
    parameter = Parameter.objects.get(key=severity.MAJOR_FAILURES_PARAMETER)
    assert (parameter.value, parameter.minimum, parameter.maximum, parameter.whole_number) == (None, 1, 50, True)
    assert severity.major_failures_limit() is None


def test_a_failed_veto_item_refuses_a_pass_and_fails_the_year_even_once_rectified(en, cast):
    review = review_failing(cast, "F1")
    page = en("health").get(url("review_detail", review.pk))
    form = page.context["decide_form"]
    assert [value for value, _label in form.fields["result"].widget.choices] == ["fail"]
    assert "Veto item F1 failed: the review fails" in text_of(page)

    before = snapshot(review)
    response = en("health").post(url("review_decide", review.pk), {"result": "pass", "reason": "合格"})
    assert response.status_code == 400
    assert "Veto item F1 failed: the review fails, and the year counts as failed. The review cannot pass." in text_of(
        response
    )
    assert snapshot(review) == before

    response = en("health").post(url("review_decide", review.pk), fail_data("F1"), follow=True)
    assert messages_of(response) == [
        "Review decided: failed, and the year counts as failed. A rectification order was issued."
    ]
    assert 'data-testid="final-result">Failed<' in text_of(response)  # the year's result, at once
    review.refresh_from_db()
    assert (review.result, review.final_result, review.status) == ("fail", "fail", "rectifying")
    event = AuditEvent.objects.get(event="review.decided", object_id=str(review.pk))
    assert event.after == {"result": "fail", "rule": "fail", "final_result": "fail"}
    # Rectified and verified: the order is done, the year stays failed.
    order = RectificationOrder.objects.get(review=review)
    decisions.order_answer(actor=head_of(review), order=order, response="已整改")
    decisions.order_verify(actor=cast["fire"], order=order, rectified=True, note="复查合格")
    review.refresh_from_db()
    assert (review.final_result, review.status) == ("fail", "closed")


def test_minor_failures_alone_lead_to_an_order_and_a_pass_on_verification(en, cast):
    review = review_failing(cast, "F5")
    form = en("health").get(url("review_detail", review.pk)).context["decide_form"]
    assert [value for value, _label in form.fields["result"].widget.choices] == ["fail"]
    response = en("health").post(url("review_decide", review.pk), {"result": "pass", "reason": "合格"})
    assert response.status_code == 400
    assert "Failed items (F5) lead to a rectification order" in text_of(response)

    response = en("health").post(url("review_decide", review.pk), fail_data("F5"), follow=True)
    assert messages_of(response) == ["Review decided: failed. A rectification order was issued."]
    review.refresh_from_db()
    assert (review.result, review.final_result) == ("fail", "")
    order = RectificationOrder.objects.get(review=review)
    decisions.order_answer(actor=head_of(review), order=order, response="已整改")
    decisions.order_verify(actor=cast["fire"], order=order, rectified=True, note="复查合格")
    review.refresh_from_db()
    assert (review.final_result, review.status) == ("pass", "closed")


def test_major_failures_weigh_as_minor_ones_until_the_bureau_sets_a_number(en, cast):
    review = review_failing(cast, "F3", "F4")
    verdict = severity.review_verdict(review)
    assert (verdict.outcome, verdict.codes("major")) == ("rectify", ["F3", "F4"])
    listing = text_of(en("fire").get(reverse("checklist_list")))
    assert "Weighs as a minor item (the bureau has set no number)." in listing
    en("health").post(url("review_decide", review.pk), fail_data("F3", "F4"))
    review.refresh_from_db()
    assert (review.result, review.final_result) == ("fail", "")


def test_major_failures_below_the_bureaus_number_weigh_as_minor_ones(cast, en):
    review = review_failing(cast, "F3", "F4")
    set_major_limit(en, "3")
    assert severity.review_verdict(review).outcome == "rectify"


def test_when_the_bureau_sets_the_number_the_same_major_failures_fail_the_year(en, cast):
    review = review_failing(cast, "F3", "F4")
    set_major_limit(en, "2")
    page = text_of(en("health").get(url("review_detail", review.pk)))
    assert "2 major items failed (F3, F4), at least the 2 the bureau set: the review fails" in page
    response = en("health").post(url("review_decide", review.pk), {"result": "pass", "reason": "合格"})
    assert response.status_code == 400
    en("health").post(url("review_decide", review.pk), fail_data("F3", "F4"))
    review.refresh_from_db()
    assert (review.result, review.final_result) == ("fail", "fail")


def test_the_number_can_be_emptied_again(en, cast):
    review = review_failing(cast, "F3", "F4")
    set_major_limit(en, "2")
    assert severity.review_verdict(review).outcome == "fail"
    set_major_limit(en, "")
    assert severity.major_failures_limit() is None
    assert severity.review_verdict(review).outcome == "rectify"


@pytest.mark.parametrize("value", ["0", "51", "1.5"])
def test_the_parameter_refuses_values_outside_its_range_and_changes_nothing(en, value):
    response = en("health").post(
        reverse("parameter_update"), {"key": severity.MAJOR_FAILURES_PARAMETER, "value": value}, follow=True
    )
    assert messages_of(response) != ["Standard saved."]
    assert severity.major_failures_limit() is None


def test_the_checklist_page_states_the_rule_with_the_bureaus_number(en):
    listing = text_of(en("fire").get(reverse("checklist_list")))
    assert "How a failed check weighs on the decision" in listing
    assert "One failure fails the review: the year counts as failed" in listing
    assert "A rectification order; the review passes once the rectification is verified." in listing
    set_major_limit(en, "3")
    listing = text_of(en("fire").get(reverse("checklist_list")))
    assert "From 3 failed major items, the review fails as for a veto item; fewer weigh as minor items." in listing


def test_nothing_failed_allows_a_pass_or_an_order_for_what_was_found_elsewhere(en, cast):
    review = review_failing(cast)
    verdict = severity.review_verdict(review)
    assert verdict.outcome == "pass" and verdict.allowed == ("pass", "fail")
    form = en("health").get(url("review_detail", review.pk)).context["decide_form"]
    assert [value for value, _label in form.fields["result"].widget.choices] == ["pass", "fail"]


def test_the_api_refuses_a_pass_against_the_rule_with_a_field_error(client_as, cast):
    review = review_failing(cast, "F2")
    response = client_as("health").post(
        reverse("api_review_decide", kwargs={"pk": review.pk}), {"result": "pass", "reason": "合格"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "result" in response.json()["error"]["fields"]
    assert AnnualReview.objects.get(pk=review.pk).result == ""


def test_a_veto_failure_after_a_failed_year_refers_at_the_decision_and_only_once(en, cast):
    """The year fails at its decision: the two-year rule refers then, and the order closed later
    as 整改不合格 raises no second referral (even once the first was declined)."""
    review = review_failing(cast, "F1")
    ReviewCycleFactory(actor=cast["health"], year=review.cycle.year - 1)
    previous = AnnualReview.objects.get(cycle__year=review.cycle.year - 1, institution=review.institution)
    AnnualReview.objects.filter(pk=previous.pk).update(status="closed", result="fail", final_result="fail")
    en("health").post(url("review_decide", review.pk), fail_data("F1"))
    referral = RevocationReferral.objects.get(institution=review.institution)
    assert set(referral.failed_reviews.all()) == {previous, review}
    assert referral.raised_by == cast["health"]
    decider = User.objects.filter(
        memberships__organisation=referral.authority, memberships__organisation__duties__code="referral.decide"
    ).first()
    decisions.referral_decide(actor=decider, referral=referral, withdraw=False, note="暂不撤销")
    order = RectificationOrder.objects.get(review=review)
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    decisions.order_close_unmet(actor=cast["health"], order=order, note="逾期未整改")
    assert RevocationReferral.objects.filter(institution=review.institution).count() == 1


def test_a_decision_against_the_rule_is_refused_by_the_service_too(cast):
    review = review_failing(cast, "F1")
    with translation.override("en"), pytest.raises(ApplicationError, match="cannot pass"):
        decisions.review_decide(actor=cast["health"], review=review, result="pass", reason="合格")
