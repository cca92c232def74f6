"""The risk score: each factor weighed on a known data set, the band and the override, the
nightly task, the panel on the institution page (departments only) and the list by band."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Organisation, User
from inspections.models import (
    AnnualReview,
    ChecklistItem,
    Finding,
    FindingItem,
    RectificationOrder,
    ReviewCycle,
    SelfReport,
)
from registry import parameters
from supervision.models import Complaint, Incident, RiskScore
from supervision.services import risk
from supervision.tasks import risk_scores_recompute_task
from tests.factories import (
    LIZHOU,
    CertificateFactory,
    ClassGroupFactory,
    InstitutionFactory,
    StaffMemberFactory,
    UserFactory,
)
from tests.helpers import text_of
from training.models import StaffMember

# Distinct weights, so that each line of the score can only come from its own factor.
WEIGHTS = {
    "risk.weight.failed_area_veto": Decimal(13),
    "risk.weight.failed_area_major": Decimal(7),
    "risk.weight.failed_area_minor": Decimal(3),
    "risk.weight.order_overdue": Decimal(11),
    "risk.weight.order_failed": Decimal(17),
    "risk.weight.ratio_breach": Decimal(19),
    "risk.weight.expired_certificate": Decimal(2),
    "risk.weight.staff_turnover": Decimal(5),
    "risk.weight.self_report_late": Decimal(23),
    "risk.weight.self_report_missing": Decimal(29),
    "risk.weight.first_year": Decimal(31),
    "risk.weight.complaint_substantiated": Decimal(37),
    "risk.weight.incident": Decimal(41),
    "risk.weight.incident_late": Decimal(43),
}


def _finding(institution, area, failed: dict, *, days_ago=30):
    """A finding of ``area`` with the items ``failed`` (code → result) and the rest passing."""
    health = User.objects.get(username="health")
    finding = Finding.objects.create(
        institution=institution, area=area, department=Organisation.objects.get(code="health"), inspector=health,
        inspected_on=timezone.localdate() - timedelta(days=days_ago), passed=not failed,
    )  # fmt: skip
    items = ChecklistItem.objects.filter(template__area=area, template__year=2026)
    FindingItem.objects.bulk_create(
        FindingItem(finding=finding, item=item, result=failed.get(item.code, FindingItem.Result.PASS)) for item in items
    )
    return finding


def _order(institution, status, *, deadline_days, issued_days_ago=20):
    return RectificationOrder.objects.create(
        institution=institution, number=f"测试整改{RectificationOrder.objects.count() + 1:04d}",
        items=[{"area": "fire", "code": "F4", "text": "测试"}],
        deadline=timezone.localdate() + timedelta(days=deadline_days),
        issued_by=User.objects.get(username="health"), status=status,
        issued_at=timezone.now() - timedelta(days=issued_days_ago),
    )  # fmt: skip


def _cycle(year):
    health = User.objects.get(username="health")
    cycle, _created = ReviewCycle.objects.get_or_create(
        year=year,
        defaults={"self_report_due": timezone.datetime(year, 3, 31).date(),
                  "inspection_due": timezone.datetime(year, 6, 30).date(),
                  "decision_due": timezone.datetime(year, 9, 30).date(), "opened_by": health},
    )  # fmt: skip
    return cycle


@pytest.fixture
def known(db):
    """One institution with a known count of every signal, and the things that must not count
    beside them (a passed area, an area failed 4 years ago, a verified order, an order not yet
    due, a class with enough caregivers, someone who left 2 years ago)."""
    today = timezone.localdate()
    institution = InstitutionFactory(opened_on=today - timedelta(days=100))
    F = FindingItem.Result.FAIL
    _finding(institution, "fire", {"F1": F, "F5": F})  # veto (the worst failed item)
    _finding(institution, "food_safety", {"FS2": F})  # major
    _finding(institution, "fees", {"FE3": F})  # minor
    _finding(institution, "security", {})  # passed: nothing
    _finding(institution, "safety", {"SA1": F}, days_ago=4 * 366)  # too old
    _order(institution, RectificationOrder.Status.OPEN, deadline_days=-3)  # overdue
    _order(institution, RectificationOrder.Status.UNMET, deadline_days=-30)  # rectification failed
    _order(institution, RectificationOrder.Status.VERIFIED, deadline_days=-30)  # rectified: nothing
    _order(institution, RectificationOrder.Status.OPEN, deadline_days=10)  # not due: nothing
    short = ClassGroupFactory(institution=institution, enrolled=10)  # 1 : 7 → needs 2 caregivers
    enough = ClassGroupFactory(institution=institution, enrolled=7)  # needs 1
    head = UserFactory(member_of=institution.organisation, member_of__role="head")
    StaffMemberFactory(institution=institution, class_group=short, actor=head)
    StaffMemberFactory(institution=institution, class_group=enough, actor=head)
    StaffMemberFactory(institution=institution, actor=head, health_certificate_expires=today - timedelta(days=1))
    holder = StaffMemberFactory(institution=institution, actor=head, role="cook")
    CertificateFactory(staff=holder, expires_on=today - timedelta(days=5))
    left = StaffMemberFactory(institution=institution, actor=head, role="cook")
    long_gone = StaffMemberFactory(institution=institution, actor=head, role="cook")
    # Leaving dates set as the roster's leave step would have, long ago for one of them.
    StaffMember.objects.filter(pk=left.pk).update(left_on=today - timedelta(days=60))
    StaffMember.objects.filter(pk=long_gone.pk).update(
        hired_on=today - timedelta(days=900), left_on=today - timedelta(days=800)
    )
    late = AnnualReview.objects.create(cycle=_cycle(today.year - 2), institution=institution,
                                       status=AnnualReview.Status.CLOSED)  # fmt: skip
    SelfReport.objects.create(review=late, status=SelfReport.Status.SUBMITTED, late=True, submitted_at=timezone.now())
    missing = AnnualReview.objects.create(cycle=_cycle(today.year - 1), institution=institution)
    SelfReport.objects.create(review=missing, status=SelfReport.Status.DRAFT)
    # Complaints: two substantiated (counted), one not substantiated and one still open (not).
    for n, outcome in enumerate(("substantiated", "substantiated", "not_substantiated", "")):
        Complaint.objects.create(
            tracking_code=f"RISK{n}", category="other", institution=institution, township=institution.township,
            description="测试", acknowledge_due=today, conclude_due=today, outcome=outcome,
            status="concluded" if outcome else "received", concluded_at=timezone.now() if outcome else None,
        )  # fmt: skip
    # Incidents: two in the last year, one of them reported late; one two years ago (not counted).
    for days_ago, late in ((10, True), (40, False), (730, False)):
        Incident.objects.create(
            institution=institution, kind="injury", occurred_at=timezone.now() - timedelta(days=days_ago),
            reported_by=head, description="测试", late=late,
        )  # fmt: skip
    return institution


def test_the_risk_score_on_a_known_data_set_weighs_each_factor(known):
    params = {**parameters.load(), **WEIGHTS}
    score, reasons = risk.risk_compute(institution_ids=[known.pk], today=timezone.localdate(), params=params)[known.pk]
    lines = {row["factor"]: (row["count"], Decimal(row["weight"]), Decimal(row["points"])) for row in reasons}
    assert lines == {
        "risk.weight.failed_area_veto": (1, 13, 13),
        "risk.weight.failed_area_major": (1, 7, 7),
        "risk.weight.failed_area_minor": (1, 3, 3),
        "risk.weight.order_overdue": (1, 11, 11),
        "risk.weight.order_failed": (1, 17, 17),
        "risk.weight.ratio_breach": (1, 19, 19),
        "risk.weight.expired_certificate": (2, 2, 4),
        "risk.weight.staff_turnover": (1, 5, 5),
        "risk.weight.self_report_late": (1, 23, 23),
        "risk.weight.self_report_missing": (1, 29, 29),
        "risk.weight.first_year": (1, 31, 31),
        "risk.weight.complaint_substantiated": (2, 37, 74),
        "risk.weight.incident": (2, 41, 82),
        "risk.weight.incident_late": (1, 43, 43),
    }
    assert score == 13 + 7 + 3 + 11 + 17 + 19 + 4 + 5 + 23 + 29 + 31 + 74 + 82 + 43


def test_a_weight_the_bureau_sets_to_zero_leaves_its_factor_out_of_the_score(known):
    params = {**parameters.load(), **WEIGHTS, "risk.weight.first_year": Decimal(0)}
    with_first_year = risk.risk_compute(institution_ids=[known.pk], today=timezone.localdate(),
                                        params={**parameters.load(), **WEIGHTS})[known.pk][0]  # fmt: skip
    score, reasons = risk.risk_compute(institution_ids=[known.pk], today=timezone.localdate(), params=params)[known.pk]
    assert score == with_first_year - 31
    assert [row["points"] for row in reasons if row["factor"] == "risk.weight.first_year"] == ["0.00"]


def test_the_score_of_many_institutions_costs_the_same_queries_as_of_one(known, django_assert_num_queries):
    params, today = parameters.load(), timezone.localdate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        risk.risk_compute(institution_ids=[known.pk], today=today, params=params)
    ids = list(risk.scored_institutions().values_list("pk", flat=True))
    assert len(ids) > 20
    with django_assert_num_queries(len(one.captured_queries)):
        risk.risk_compute(institution_ids=ids, today=today, params=params)


def test_the_band_follows_the_bureaus_thresholds():
    params = {"risk.band.medium_from": Decimal(4), "risk.band.high_from": Decimal(10)}
    assert [risk.band_for(Decimal(v), params) for v in ("0", "3.99", "4", "9.99", "10", "50")] == [
        "low", "low", "medium", "medium", "high", "high"
    ]  # fmt: skip
    # A high threshold set below the medium one counts from the medium one.
    assert risk.band_for(Decimal(5), {"risk.band.medium_from": Decimal(8), "risk.band.high_from": Decimal(2)}) == "low"


def test_the_nightly_task_recomputes_every_score_and_a_second_run_changes_nothing(known):
    assert "supervision.tasks.risk_scores_recompute_task" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    first = risk_scores_recompute_task.delay().get()
    assert first["created"] == 1  # the new institution; the demo's were scored by the demo loader
    row = RiskScore.objects.get(institution=known)
    assert row.computed_band == "high" and row.score > 0
    assert risk_scores_recompute_task.delay().get() == {"created": 0, "changed": 0, "removed": 0}


def test_a_closed_institution_loses_its_score(known):
    risk.risk_scores_recompute()
    type(known).objects.filter(pk=known.pk).update(status="closed")
    assert risk.risk_scores_recompute()["removed"] == 1
    assert not RiskScore.objects.filter(institution=known).exists()


def _score_of(code="demo-lizhou-yangguang"):
    return RiskScore.objects.get(institution__organisation__code=code)


def test_the_bureau_overrides_the_band_with_a_reason_and_it_is_audited(cast):
    score = _score_of("demo-simen-xingxing")
    risk.risk_band_override(actor=cast["health"], score=score, band="high", reason="测试：近期多次投诉")
    score.refresh_from_db()
    assert (score.band, score.computed_band, score.override_reason) == ("high", "low", "测试：近期多次投诉")
    event = AuditEvent.objects.filter(event="risk.band_overridden", object_id=str(score.pk)).latest("pk")
    assert event.actor_id == cast["health"].pk
    assert event.after["reason"] == "测试：近期多次投诉" and event.after["band"] == "high"
    # The override stands when the score is recomputed.
    risk.risk_scores_recompute()
    score.refresh_from_db()
    assert score.band == "high"


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_without_a_reason_is_refused_and_changes_nothing(cast, reason):
    score = _score_of("demo-simen-xingxing")
    with pytest.raises(ApplicationError):
        risk.risk_band_override(actor=cast["health"], score=score, band="high", reason=reason)
    score.refresh_from_db()
    assert score.override_band == ""
    assert not AuditEvent.objects.filter(event="risk.band_overridden", object_id=str(score.pk)).exists()


def test_only_the_health_bureau_overrides_a_band(cast):
    with pytest.raises(PermissionDenied):
        risk.risk_band_override(actor=cast["fire"], score=_score_of(), band="high", reason="测试")


def test_the_override_page_refuses_a_missing_reason_with_a_message(client_as):
    score = _score_of("demo-simen-xingxing")
    response = client_as("health").post(f"/supervision/risk/{score.pk}/band/", {"band": "high", "reason": ""},
                                        follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "risk-panel" in text_of(response)
    score.refresh_from_db()
    assert score.override_band == ""


def test_the_institution_page_shows_the_score_and_its_reasons_to_departments_only(client_as):
    institution = _score_of("demo-simen-xingxing").institution
    url = f"/registry/institutions/{institution.pk}/"
    page = text_of(client_as("health").get(url))
    assert 'data-testid="risk-panel"' in page and "risk-reasons" in page
    assert 'data-testid="risk-override"' in page  # the bureau may set the band
    fire_page = text_of(client_as("fire").get(url))
    assert 'data-testid="risk-panel"' in fire_page and 'data-testid="risk-override"' not in fire_page
    for username in ("nursery1", "simen", "leader"):
        response = client_as(username).get(url)
        assert response.status_code == 200
        assert "risk-panel" not in text_of(response), username


def test_the_list_filters_by_band_and_township(client_as):
    response = client_as("health").get("/supervision/risk/", {"band": "high"})
    rows = list(response.context["page"])
    assert rows and all(row.band == "high" for row in rows)
    response = client_as("health").get("/supervision/risk/", {"township": LIZHOU})
    rows = list(response.context["page"])
    assert rows and all(row.institution.township.code == LIZHOU for row in rows)
    # The bureau's override counts as the band.
    medium = [row.institution.organisation.code for row in
              client_as("health").get("/supervision/risk/", {"band": "medium"}).context["page"]]  # fmt: skip
    assert "demo-lizhou-yangguang" in medium


def test_the_list_refuses_a_bad_filter_without_listing(client_as):
    response = client_as("health").get("/supervision/risk/", {"band": "extreme"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_the_demo_spreads_the_scores_over_the_bands(db):
    bands = {row.band for row in RiskScore.objects.all()}
    assert bands == {"low", "medium", "high"}


def test_the_list_queries_stay_pinned(client_as, django_assert_max_num_queries):
    client = client_as("health")
    client.get("/supervision/risk/")  # warm the session and the parameters
    with django_assert_max_num_queries(14):
        client.get("/supervision/risk/")
    for _n in range(15):
        InstitutionFactory(township_code=LIZHOU)
    risk.risk_scores_recompute()
    with django_assert_max_num_queries(14):
        assert client.get("/supervision/risk/").status_code == 200
