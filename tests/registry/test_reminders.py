"""Registry reminders (``registry.reminders``): a filing at 3 of its 5 working days and when
overdue, an institution registered but unfiled, a fee above the guide price, a family care
point over its limit; each sent once per stage, to the right people, and by email where the
recipient chose it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services as account_services
from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Notification, NotificationPreference, Organisation
from registry import workdays
from registry.models import ClassGroup, FeeSchedule, Filing, Institution, Parameter, PricingGuidance, Registration
from registry.reminders import registry_reminders
from registry.tasks import registry_reminders_task

pytestmark = pytest.mark.django_db

SIMEN, LIZHOU = "330281103", "330281001"
MONDAY = date(2026, 3, 2)  # a plain working week: 2 to 6 March 2026


def _messages(username: str, kind: str):
    return Notification.objects.filter(recipient__username=username, kind=kind)


def _quiet(result: dict) -> bool:
    return not any(result.values())


def _filing_submitted_on(day: date) -> Filing:
    filing = Filing.objects.get(institution__name="【演示】泗门镇爱心托育中心", status=Filing.Status.SUBMITTED)
    submitted = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
    Filing.objects.filter(pk=filing.pk).update(submitted_at=submitted, due_on=workdays.add_working_days(day, 5))
    filing.refresh_from_db()
    return filing


def test_a_filing_is_announced_to_the_health_bureau_at_3_of_5_working_days_and_when_overdue(cast):
    filing = _filing_submitted_on(MONDAY)
    assert filing.due_on == date(2026, 3, 9)
    assert registry_reminders(today=date(2026, 3, 4))["filing_near"] == 0  # 2 of 5 passed
    assert registry_reminders(today=date(2026, 3, 5))["filing_near"] == 1  # 3 of 5 passed
    assert registry_reminders(today=date(2026, 3, 6))["filing_near"] == 0  # once per stage
    near = _messages("health", "filing_deadline").get()
    assert filing.institution.name in near.body and near.link.startswith("/registry/filings/")
    assert registry_reminders(today=date(2026, 3, 9))["filing_overdue"] == 0  # the due day itself
    assert registry_reminders(today=date(2026, 3, 10))["filing_overdue"] == 1
    assert registry_reminders(today=date(2026, 3, 11))["filing_overdue"] == 0
    assert _messages("health", "filing_deadline").count() == 2
    # Nobody else is told: the institution and the township follow their filing on its page.
    assert not Notification.objects.filter(kind="filing_deadline").exclude(recipient__username="health").exists()


def test_a_filing_found_overdue_is_not_announced_near_as_well(cast):
    _filing_submitted_on(MONDAY)
    result = registry_reminders(today=date(2026, 3, 12))
    assert (result["filing_near"], result["filing_overdue"]) == (0, 1)


def test_a_resubmitted_filing_is_counted_afresh(cast):
    filing = _filing_submitted_on(MONDAY)
    assert registry_reminders(today=date(2026, 3, 5))["filing_near"] == 1
    Filing.objects.filter(pk=filing.pk).update(submissions=2)  # returned, then submitted again
    assert registry_reminders(today=date(2026, 3, 5))["filing_near"] == 1


def _simen_unfiled_for(days: int) -> Institution:
    """A registered 泗门镇 institution with no filing begun, registered ``days`` ago."""
    institution = (
        Institution.objects.filter(
            township__code=SIMEN, filing_status="not_filed", filings__isnull=True, registrations__status="active"
        )
        .order_by("pk")
        .first()
    )
    Registration.objects.filter(institution=institution).update(registered_on=timezone.localdate() - timedelta(days))
    return institution


def test_an_institution_registered_but_unfiled_is_announced_to_itself_and_its_township_once(cast):
    today = timezone.localdate()
    institution = _simen_unfiled_for(40)
    keeper = _member_of(institution.organisation, "unfiled-keeper")
    first = registry_reminders(today=today)
    assert first["unfiled"] >= 1
    township_message = _messages("simen", "unfiled").get()
    assert institution.name in township_message.body
    assert "330281103" in township_message.link  # its own dashboard, with what each waits for
    assert not any("泗门镇" in m.body for m in _messages("lizhou", "unfiled"))
    assert registry_reminders(today=today)["unfiled"] == 0
    assert registry_reminders(today=today + timedelta(days=1))["unfiled"] == 0
    assert _messages("simen", "unfiled").count() == 1
    # The institutions themselves are told (their acting members).
    own = _messages(keeper.username, "unfiled").get()
    assert own.link == f"/registry/institutions/{institution.pk}/"


def test_the_unfiled_reminder_follows_the_parameter(cast):
    today = timezone.localdate()
    _simen_unfiled_for(40)
    Parameter.objects.filter(key="filing.unfiled_alert_days").update(value=3650)
    assert registry_reminders(today=today)["unfiled"] == 0
    Parameter.objects.filter(key="filing.unfiled_alert_days").update(value=30)
    assert registry_reminders(today=today)["unfiled"] >= 1


def _member_of(organisation: Organisation, username: str):
    user = account_services.user_create(
        actor=None, username=username, real_name="演示·" + username, password=DEMO_PASSWORD,
        must_change_password=False,
    )  # fmt: skip
    account_services.membership_set(actor=None, user=user, organisation=organisation, role=Membership.Role.OFFICER)
    return user


def _ndrc_officer():
    return _member_of(Organisation.objects.get(code="ndrc"), "ndrc-officer")


def test_a_fee_above_the_guide_price_goes_to_market_supervision_and_development_and_reform(cast):
    ndrc = _ndrc_officer()
    today = timezone.localdate()
    dear = Institution.objects.get(name="【演示】梨洲街道阳光宝贝托育中心")
    guide = PricingGuidance.objects.filter(service_mode="full_day").order_by("-effective_from").first()
    assert registry_reminders(today=today)["fee_above_guide"] == 0  # its 2200 is below the guide
    fee = FeeSchedule.objects.create(
        institution=dear, service_mode="full_day", amount=guide.max_amount + 300, effective_from=today
    )
    assert registry_reminders(today=today)["fee_above_guide"] == 1
    assert registry_reminders(today=today)["fee_above_guide"] == 0
    for username in ("amr", ndrc.username):
        message = _messages(username, "fee_above_guide").get()
        assert dear.name in message.body and "300" in message.body
    assert not _messages("health", "fee_above_guide").exists()
    assert not _messages("lizhou", "fee_above_guide").exists()
    # A new fee, still above: a new stage.
    FeeSchedule.objects.create(institution=dear, service_mode="full_day", amount=fee.amount + 100, effective_from=today)
    assert registry_reminders(today=today)["fee_above_guide"] == 1


def test_a_family_care_point_over_its_limit_goes_to_its_township_and_the_health_bureau(cast):
    today = timezone.localdate()
    assert registry_reminders(today=today)["family_point_over_limit"] == 0  # demo points take 4 of 5
    point = Institution.objects.get(name="【演示】泗门镇童趣家庭托育点")
    ClassGroup.objects.filter(institution=point).update(enrolled=6)
    assert registry_reminders(today=today)["family_point_over_limit"] == 1
    assert registry_reminders(today=today)["family_point_over_limit"] == 0
    for username in ("simen", "health"):
        message = _messages(username, "family_point_over_limit").get()
        assert point.name in message.body and "6" in message.body
    assert not _messages("lizhou", "family_point_over_limit").exists()
    assert not _messages("amr", "family_point_over_limit").exists()
    # The bureau lowers the limit: a new stage for the points now over it.
    Parameter.objects.filter(key="family_point.max_children").update(value=Decimal(3))
    assert registry_reminders(today=today)["family_point_over_limit"] >= 2


def test_the_task_run_twice_sends_each_reminder_and_its_email_once(cast, django_capture_on_commit_callbacks):
    health = cast["health"]
    health.email = "health@example.gov.cn"
    health.save(update_fields=["email"])
    NotificationPreference.objects.create(user=health, email_verified=health.email, muted_kinds=["unfiled"])
    _filing_submitted_on(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        first = registry_reminders_task.delay("2026-03-10").get()
    assert first["filing_overdue"] == 1
    deadline_mail = [m for m in mail.outbox if m.to == ["health@example.gov.cn"]]
    assert len(deadline_mail) == 1 and "1" in deadline_mail[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        second = registry_reminders_task.delay("2026-03-10").get()
    assert _quiet(second)
    assert len([m for m in mail.outbox if m.to == ["health@example.gov.cn"]]) == 1
