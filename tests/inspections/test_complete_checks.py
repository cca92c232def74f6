"""No decision without the checks it rests on (issue 13, point 7): a review is decided only
when every area whose checklist applies to the institution has its department's finding, or
is recorded as not applicable with a reason; the refusal names the missing areas (in Chinese
on the Chinese interface); the pass notice lists every area.

The cast (tests/conftest.py): ``health`` leads and decides, ``fire`` checks fire safety,
``amr`` food safety and fees, ``edu`` the nursery classes of kindergartens.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from inspections.models import AnnualReview, Area, AreaExemption, ChecklistItem
from inspections.services import findings
from registry.models import Institution
from tests.factories import UserFactory
from tests.helpers import messages_of, text_of

pytestmark = pytest.mark.django_db


def _all_pass(area: str) -> dict:
    return dict.fromkeys(ChecklistItem.objects.filter(template__area=area).values_list("code", flat=True), ("pass", ""))


def _inspecting_review(cast, provider_type: str | None = None) -> AnnualReview:
    """A demo review under inspection with no finding yet, bar fire safety."""
    review = (
        AnnualReview.objects.filter(status=AnnualReview.Status.INSPECTING, result="", findings__isnull=True)
        .select_related("institution", "cycle")
        .order_by("pk")
        .first()
    )
    if provider_type:
        Institution.objects.filter(pk=review.institution_id).update(provider_type=provider_type)
        review.institution.refresh_from_db()
    findings.finding_record(
        actor=cast["fire"], institution=review.institution, review=review, area=Area.FIRE,
        inspected_on=timezone.localdate(), results=_all_pass(Area.FIRE),
    )  # fmt: skip
    return review


def _decide(client, review, result="pass"):
    return client.post(reverse("review_decide", args=[review.pk]), {"result": result, "reason": "各项检查合格"})


def _exempt(client, review, area, reason="本机构不提供膳食"):
    url = reverse("review_area_exempt", args=[review.pk])
    return client.post(url, {"area": area, "reason": reason}, follow=True)


def test_a_review_with_areas_unchecked_is_not_decided_and_the_refusal_names_them_in_chinese(client_as, cast):
    review = _inspecting_review(cast)
    health = client_as("health")  # the Chinese interface
    page = text_of(health.get(reverse("review_detail", args=[review.pk])))
    assert 'data-testid="missing-areas"' in page and "食品药品安全" in page

    response = _decide(health, review)
    assert response.status_code == 400
    refusal = text_of(response)
    for label in ("食品药品安全", "收费标准", "安全防范", "安全生产", "卫生保健"):
        assert label in refusal, label
    assert "消防安全、" not in refusal  # fire has its finding
    review.refresh_from_db()
    assert (review.status, review.result) == (AnnualReview.Status.INSPECTING, "")
    assert not review.orders.exists()

    # The API refuses alike, naming the areas in the error.
    api = client_as("health").post(
        reverse("api_review_decide", args=[review.pk]), {"result": "pass", "reason": "合格"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert api.status_code == 400 and "收费标准" in api.json()["error"]["message"]


def test_a_kindergarten_nursery_class_needs_the_education_bureau_s_finding_too(en, cast):
    review = _inspecting_review(cast, Institution.ProviderType.KINDERGARTEN_CLASS)
    health = en("health")
    for area in (Area.FOOD_SAFETY, Area.FEES, Area.SECURITY, Area.SAFETY, Area.HEALTH_CARE):
        assert "recorded as not applicable" in " ".join(messages_of(_exempt(health, review, area)))
    response = _decide(health, review)
    assert response.status_code == 400
    assert "no finding for Care and education (kindergarten nursery classes)" in text_of(response)
    findings.finding_record(
        actor=cast["edu"], institution=review.institution, review=review, area=Area.EDUCATION,
        inspected_on=timezone.localdate(), results=_all_pass(Area.EDUCATION),
    )  # fmt: skip
    assert _decide(health, review).status_code == 302


def test_areas_recorded_as_not_applicable_let_the_decision_through_and_the_pass_notice_lists_every_area(en, cast):
    review = _inspecting_review(cast)
    amr, health = en("amr"), en("health")
    # The reason is required; nothing is recorded without one.
    assert any("Say why Fees does not apply" in m for m in messages_of(_exempt(amr, review, Area.FEES, " ")))
    assert not AreaExemption.objects.filter(review=review).exists()
    assert _exempt(amr, review, Area.FEES, "公益性机构，不收费").status_code == 200
    # Market supervision checks food safety after all; health records the rest as not applicable.
    findings.finding_record(
        actor=cast["amr"], institution=review.institution, review=review, area=Area.FOOD_SAFETY,
        inspected_on=timezone.localdate(), results=_all_pass(Area.FOOD_SAFETY),
    )  # fmt: skip
    for area in (Area.SECURITY, Area.SAFETY):
        _exempt(health, review, area, "设于机关院内，由机关统一负责")
    # A finding cannot be pushed aside by an exemption.
    refused = messages_of(_exempt(health, review, Area.FIRE, "x"))
    assert any("already has a finding" in m for m in refused)
    exempted = [str(pk) for pk in AreaExemption.objects.filter(review=review).values_list("pk", flat=True)]
    assert AuditEvent.objects.filter(event="review.area_exempted", object_id__in=exempted).count() == 3

    assert _decide(health, review).status_code == 400  # health care still missing
    findings.finding_record(
        actor=cast["health"], institution=review.institution, review=review, area=Area.HEALTH_CARE,
        inspected_on=timezone.localdate(), results=_all_pass(Area.HEALTH_CARE),
    )  # fmt: skip
    assert _decide(health, review).status_code == 302
    review.refresh_from_db()
    assert review.result == "pass"

    notice = text_of(health.get(reverse("review_notice_print", args=[review.pk])))
    assert notice.count('data-testid="notice-area"') == 6
    for text in (
        "Fire safety", "Food and drug safety", "Fees", "Not applicable: 公益性机构，不收费", "Security",
        "Safety supervision", "Not applicable: 设于机关院内，由机关统一负责", "Health care",
    ):  # fmt: skip
        assert text in notice, text


def test_a_finding_recorded_later_replaces_the_exemption(en, cast):
    review = _inspecting_review(cast)
    _exempt(en("health"), review, Area.FOOD_SAFETY)
    findings.finding_record(
        actor=cast["amr"], institution=review.institution, review=review, area=Area.FOOD_SAFETY,
        inspected_on=timezone.localdate(), results=_all_pass(Area.FOOD_SAFETY),
    )  # fmt: skip
    assert not AreaExemption.objects.filter(review=review, area=Area.FOOD_SAFETY).exists()


def test_only_the_area_s_department_or_the_health_bureau_records_an_area_as_not_applicable(client_as, cast):
    review = _inspecting_review(cast)
    url = reverse("review_area_exempt", args=[review.pk])
    data = {"area": Area.FEES, "reason": "不收费"}
    assert client_as("fire").post(url, data).status_code == 403  # fire sees the review, not its fees
    head = UserFactory(member_of=review.institution.organisation, member_of__role="head")
    assert client_as(head.username).post(url, data).status_code == 403  # the institution itself
    assert client_as("stranger").post(url, data).status_code == 404
    assert not AreaExemption.objects.filter(review=review).exists()
