"""Bulk actions on the annual-review queue (issue 17): a department records its area as passed
for many reviews of a cycle at once, and the health bureau or a township reminds many
institutions of their self-report. All or nothing, each review checked by the policy and the
single action's rules and audited on its own; a number of queries that grows by a constant per
review; the queue with its action bar keeps a fixed number of queries.

The demo's 2026 cycle is open; most of its reviews still wait for the self-report. ``fire``
sees every review, ``edu`` only those of kindergarten nursery classes (policy rule 17);
``simen`` sees 泗门镇's, ``lizhou`` 梨洲街道's.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership, Notification, Organisation, SecurityEvent, User
from inspections.models import AnnualReview, AreaExemption, Finding, FindingItem, ReviewCycle, SelfReport
from inspections.services import cycles
from inspections.services import findings as finding_services
from registry.models import Institution
from tests.factories import LIZHOU, SIMEN, InstitutionFactory, UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

KINDERGARTEN = Institution.ProviderType.KINDERGARTEN_CLASS


def _waiting(*, count: int, township: str = SIMEN, kindergarten: bool = False) -> list[AnnualReview]:
    """``count`` new institutions of ``township``, filed while the 2026 cycle is open, so each
    has a review waiting for its self-report (a draft) and a head to be told."""
    kind = KINDERGARTEN if kindergarten else Institution.ProviderType.STANDALONE
    reviews = []
    for _ in range(count):
        institution = InstitutionFactory(filed=True, township_code=township, provider_type=kind)
        UserFactory(member_of=institution.organisation, member_of__role=Membership.Role.HEAD)
        cycles.cycle_membership_sync(actor=None, institution_id=institution.pk)
        reviews.append(
            AnnualReview.objects.select_related("institution", "cycle").get(cycle__year=2026, institution=institution)
        )
    return reviews


def _inspecting(**kwargs) -> list[AnnualReview]:
    """Reviews whose self-report is in: under inspection, no finding of fire yet."""
    reviews = _waiting(**kwargs)
    SelfReport.objects.filter(review__in=reviews).update(
        status=SelfReport.Status.SUBMITTED, submitted_at=timezone.now()
    )
    AnnualReview.objects.filter(pk__in=[r.pk for r in reviews]).update(status=AnnualReview.Status.INSPECTING)
    return reviews


def _pass(client, reviews, area="fire", **extra):
    data = {"ids": [getattr(r, "pk", r) for r in reviews], "area": area,
            "inspected_on": timezone.localdate().isoformat(), "next": "?status=inspecting", **extra}  # fmt: skip
    return client.post(reverse("review_bulk_pass"), data, follow=True)


def _remind(client, reviews):
    data = {"ids": [getattr(r, "pk", r) for r in reviews], "next": "?self_report=not_submitted"}
    return client.post(reverse("review_bulk_remind"), data, follow=True)


def _fire_findings(reviews) -> list[bool]:
    return [Finding.objects.filter(review=r, area="fire").exists() for r in reviews]


def _name(review) -> str:
    return f"{review.institution.name} (annual review 2026)"


# --- Pass findings in bulk ------------------------------------------------------------------


def test_fire_records_its_area_as_passed_for_the_chosen_reviews(en, cast):
    reviews = _inspecting(count=3)
    response = _pass(en("fire"), reviews, notes="集中检查，均符合")
    assert messages_of(response) == ["Fire safety recorded as passed for 3 reviews."]
    assert response.redirect_chain[-1][0] == reverse("review_list") + "?status=inspecting"
    for review in reviews:
        finding = Finding.objects.get(review=review, area="fire")
        assert finding.passed and finding.department.code == "fire" and finding.inspector == cast["fire"]
        assert finding.notes == "集中检查，均符合" and finding.institution_id == review.institution_id
        results = set(FindingItem.objects.filter(finding=finding).values_list("result", flat=True))
        assert results == {FindingItem.Result.PASS}
        assert finding.items.count() == finding_services.checklist_for_year(area="fire", year=2026).items.count()
        assert AuditEvent.objects.filter(event="finding.recorded", object_id=str(finding.pk)).count() == 1


def test_one_review_out_of_sight_changes_nothing_and_is_named_by_its_number(en):
    """Education sees only kindergarten nursery classes: another review is out of its sight."""
    kindergarten = _inspecting(count=1, kindergarten=True)
    other = _inspecting(count=1)
    response = _pass(en("edu"), [*kindergarten, *other], area="education")
    assert messages_of(response) == [
        "Nothing was changed: 1 of the chosen rows cannot be acted on.",
        f"No. {other[0].pk}: not found, or not in your sight.",
    ]
    assert not Finding.objects.filter(review__in=[*kindergarten, *other]).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.OUT_OF_SCOPE, username="edu")
    assert event.detail["lookup"] == {"pk__in": [str(other[0].pk)]}


def test_a_review_in_the_wrong_state_changes_nothing_and_is_named_with_the_reason(en):
    reviews = _inspecting(count=2)
    waiting = _waiting(count=1)[0]  # its self-report is not in
    recorded = _inspecting(count=1)[0]
    finding_services.findings_record_passed_many(
        actor=_fire(), area="fire", review_ids=[recorded.pk], inspected_on=timezone.localdate()
    )
    exempted = _inspecting(count=1)[0]
    AreaExemption.objects.create(
        review=exempted, area="fire", reason="无", department=Organisation.objects.get(code="fire"), recorded_by=_fire()
    )
    response = _pass(en("fire"), [*reviews, waiting, recorded, exempted])
    messages = messages_of(response)
    assert messages[0] == "Nothing was changed: 3 of the chosen rows cannot be acted on."
    assert messages[1].startswith(f"{_name(waiting)}: Findings are recorded while the review is under inspection")
    assert messages[2] == f"{_name(recorded)}: Fire safety already has a finding; change it on its own page."
    assert messages[3] == f"{_name(exempted)}: Fire safety is recorded as not applicable."
    assert _fire_findings(reviews) == [False, False]


def _fire() -> User:
    return User.objects.get(username="fire")


def test_reviews_of_two_cycles_are_not_recorded_together(en):
    reviews = _inspecting(count=2)
    cycle = ReviewCycle.objects.create(
        year=2025, self_report_due=timezone.localdate(), inspection_due=timezone.localdate(),
        decision_due=timezone.localdate(), opened_by=_fire(),
    )  # fmt: skip
    AnnualReview.objects.filter(pk=reviews[1].pk).update(cycle=cycle)
    messages = messages_of(_pass(en("fire"), reviews))
    assert messages[-1] == "The chosen reviews belong to several annual reviews (2025、2026): choose those of one year."
    assert _fire_findings(reviews) == [False, False]


def test_only_a_department_with_an_area_records_in_bulk(client_as):
    reviews = _inspecting(count=1)
    for username in ("simen", "nursery1", "leader"):
        assert _pass(client_as(username), reviews).status_code == 403, username
    # Fire may not record another department's area (403, as on the single form).
    assert _pass(client_as("fire"), reviews, area="food_safety").status_code == 200
    assert _fire_findings(reviews) == [False]


def test_a_date_in_the_future_is_refused(en):
    reviews = _inspecting(count=1)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    messages = messages_of(_pass(en("fire"), reviews, inspected_on=tomorrow))
    assert messages == ["The date of inspection cannot be in the future."]
    assert _fire_findings(reviews) == [False]


def test_a_single_recording_that_came_first_makes_the_batch_refuse(cast):
    reviews = _inspecting(count=2)
    finding_services.findings_record_passed_many(
        actor=cast["fire"], area="fire", review_ids=[reviews[0].pk], inspected_on=timezone.localdate()
    )
    with pytest.raises(finding_services.ApplicationError):
        finding_services.findings_record_passed_many(
            actor=cast["fire"], area="fire", review_ids=[r.pk for r in reviews], inspected_on=timezone.localdate()
        )
    assert _fire_findings(reviews) == [True, False]


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_the_bulk_pass_grows_by_a_constant_per_review(en):
    client = en("fire")
    few_reviews, many_reviews = _inspecting(count=2), _inspecting(count=8)
    few = _queries(lambda: _pass(client, few_reviews))
    many = _queries(lambda: _pass(client, many_reviews))
    assert _fire_findings(many_reviews) == [True] * 8
    # Per review: its finding and its audit row (the checklist items go in one statement).
    assert many - few <= 6 * 2, (few, many)


# --- Reminders in bulk -------------------------------------------------------------------------


def test_the_health_bureau_reminds_the_chosen_institutions_once_a_day(en, cast):
    reviews = _waiting(count=3)
    response = _remind(en("health"), reviews)
    assert messages_of(response) == ["3 institutions reminded of their self-report."]
    for review in reviews:
        head = User.objects.get(memberships__organisation=review.institution.organisation)
        notice = Notification.objects.filter(recipient=head, link=f"/inspections/reviews/{review.pk}/").latest("pk")
        assert notice.title.startswith("2026年度年审：请提交自查报告") or "self-report" in notice.title, notice.title
        assert AuditEvent.objects.filter(event="self_report.reminded", object_id=str(review.self_report.pk)).exists()
    # The same rows again the same day: refused, named, nothing sent twice.
    before = Notification.objects.count()
    messages = messages_of(_remind(en("health"), reviews[:1]))
    assert messages == [
        "Nothing was changed: 1 of the chosen rows cannot be acted on.",
        f"{_name(reviews[0])}: already reminded today.",
    ]
    assert Notification.objects.count() == before


def test_a_township_reminds_its_own_institutions_and_a_foreign_one_stops_the_batch(en):
    own = _waiting(count=2, township=SIMEN)
    foreign = _waiting(count=1, township=LIZHOU)[0]
    before = Notification.objects.count()
    messages = messages_of(_remind(en("simen"), [*own, foreign]))
    assert messages == [
        "Nothing was changed: 1 of the chosen rows cannot be acted on.",
        f"No. {foreign.pk}: not found, or not in your sight.",
    ]
    assert Notification.objects.count() == before
    assert not AuditEvent.objects.filter(event="self_report.reminded").exists()
    assert messages_of(_remind(en("simen"), own)) == ["2 institutions reminded of their self-report."]


def test_a_submitted_self_report_is_not_reminded(en):
    reviews = _waiting(count=2)
    submitted = _inspecting(count=1)[0]
    messages = messages_of(_remind(en("health"), [*reviews, submitted]))
    assert messages[1] == f"{_name(submitted)}: the self-report is not waiting to be submitted (Submitted)."
    assert not AuditEvent.objects.filter(event="self_report.reminded").exists()


def test_only_the_health_bureau_and_townships_remind(client_as):
    reviews = _waiting(count=1)
    for username in ("fire", "nursery1", "leader"):
        assert _remind(client_as(username), reviews).status_code == 403, username


def test_the_bulk_reminder_grows_by_a_constant_per_review(en):
    client = en("health")
    few_reviews, many_reviews = _waiting(count=2), _waiting(count=8)
    few = _queries(lambda: _remind(client, few_reviews))
    many = _queries(lambda: _remind(client, many_reviews))
    # Per review: the institution's members, its head's inbox message (with its savepoint), the
    # head's email preference and the audit row; the sight, the locks, the ledger and the page it
    # returns to do not grow.
    assert many - few <= 6 * 6, (few, many)


# --- The queue with its action bar -------------------------------------------------------------


@pytest.mark.parametrize("username", ["fire", "health", "simen"])
@pytest.mark.parametrize("extra", [0, 6])
def test_the_queue_with_its_bulk_bar_keeps_a_fixed_number_of_queries(
    client_as, username, extra, django_assert_max_num_queries
):
    if extra:
        _inspecting(count=extra)
    with django_assert_max_num_queries(14):
        response = client_as(username).get(reverse("review_list"))
    html = response.content.decode()
    assert 'data-testid="bulk-bar"' in html and 'form="bulk-reviews"' in html
    assert ('data-testid="bulk-pass"' in html) is (username in ("fire", "health"))
    assert ('data-testid="bulk-remind"' in html) is (username in ("health", "simen"))
