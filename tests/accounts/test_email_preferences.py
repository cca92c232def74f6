"""Email that reaches people: each user's own address, verified by a signed link that works
once and expires, and their choice per kind of message or a daily digest."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from accounts import notices, services
from accounts.models import Notification, NotificationPreference
from accounts.tasks import notification_digests_task, notification_email_task
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


def _verified(user, email="officer@example.gov.cn", **preference):
    user.email = email
    user.save(update_fields=["email"])
    NotificationPreference.objects.update_or_create(user=user, defaults={"email_verified": email, **preference})
    return user


def _send(callbacks, user, title, kind=Notification.GENERAL):
    with callbacks(execute=True):
        return services.notification_send(
            recipient=user, title=title, body="正文", link="/registry/filings/", kind=kind
        )


def _link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/email/verify/[^/\s]+/)", message.body).group(1)


# --- Preferences honoured ------------------------------------------------------------------


def test_a_verified_address_gets_each_message_once(cast, django_capture_on_commit_callbacks):
    health = _verified(cast["health"])
    notification = _send(django_capture_on_commit_callbacks, health, "备案待审")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["officer@example.gov.cn"], "备案待审")]
    assert "/registry/filings/" in mail.outbox[0].body  # the link, made absolute
    assert notification_email_task.delay(notification.pk).get() is False  # run again: nothing more
    assert len(mail.outbox) == 1


def test_email_off_keeps_messages_in_the_portal_only(cast, django_capture_on_commit_callbacks):
    health = _verified(cast["health"], delivery=NotificationPreference.Delivery.OFF)
    notification = _send(django_capture_on_commit_callbacks, health, "备案待审")
    assert Notification.objects.filter(pk=notification.pk, recipient=health).exists()
    assert notification_email_task.delay(notification.pk).get() is False
    assert notification_digests_task.delay().get() == 0
    assert mail.outbox == []


def test_a_muted_kind_is_not_emailed_while_the_others_are(cast, django_capture_on_commit_callbacks):
    health = _verified(cast["health"], muted_kinds=["fee_above_guide"])
    _send(django_capture_on_commit_callbacks, health, "收费高于指导价", kind="fee_above_guide")
    assert mail.outbox == []
    _send(django_capture_on_commit_callbacks, health, "备案逾期", kind="filing_deadline")
    assert [m.subject for m in mail.outbox] == ["备案逾期"]


def test_the_digest_sends_one_mail_a_day_with_all_messages(cast, django_capture_on_commit_callbacks):
    health = _verified(cast["health"], delivery=NotificationPreference.Delivery.DIGEST)
    NotificationPreference.objects.filter(user=health).update(digest_from=timezone.now())  # chosen now
    first = _send(django_capture_on_commit_callbacks, health, "备案逾期", kind="filing_deadline")
    second = _send(django_capture_on_commit_callbacks, health, "收费高于指导价", kind="fee_above_guide")
    assert mail.outbox == []  # nothing at once
    assert notification_digests_task.delay().get() >= 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["officer@example.gov.cn"]
    assert "备案逾期" in digest.body and "收费高于指导价" in digest.body and "2" in digest.subject
    assert Notification.objects.filter(pk__in=[first.pk, second.pk], emailed_at__isnull=False).count() == 2
    # Later the same day a new message arrives and the task runs again: no second mail today.
    _send(django_capture_on_commit_callbacks, health, "又一条", kind="filing_deadline")
    notification_digests_task.delay().get()
    assert len(mail.outbox) == 1
    # The next day it is in that day's digest, alone.
    services.notification_digest_send(user_id=health.pk, today=timezone.localdate() + timedelta(days=1))
    assert len(mail.outbox) == 2 and "又一条" in mail.outbox[1].body and "备案逾期" not in mail.outbox[1].body


def test_an_unverified_address_gets_no_mail(cast, django_capture_on_commit_callbacks):
    health = cast["health"]
    health.email = "unverified@example.gov.cn"
    health.save(update_fields=["email"])
    notification = _send(django_capture_on_commit_callbacks, health, "备案待审")
    assert notification_email_task.delay(notification.pk).get() is False
    # An address verified once, then changed by an administrator, is unverified again.
    _verified(health, "old@example.gov.cn", delivery=NotificationPreference.Delivery.DIGEST)
    health.email = "changed@example.gov.cn"
    health.save(update_fields=["email"])
    _send(django_capture_on_commit_callbacks, health, "又一条")
    notification_digests_task.delay().get()
    assert mail.outbox == []


# --- The verification link -----------------------------------------------------------------


def test_a_new_address_is_verified_by_its_link_once(client_as, cast, django_capture_on_commit_callbacks):
    client = client_as("simen")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/notifications/settings/",
            {"email": "simen@example.gov.cn", "delivery": "each", "emailed_kinds": ["general", "unfiled"]},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["simen@example.gov.cn"]]
    link = _link_in(mail.outbox[0])
    preference = NotificationPreference.objects.get(user=cast["simen"])
    assert preference.address() == "" and "fee_above_guide" in preference.muted_kinds
    # No mail before the link is opened.
    _send(django_capture_on_commit_callbacks, cast["simen"], "未备案提醒", kind="unfiled")
    assert len(mail.outbox) == 1

    opened = client.get(link, follow=True)
    assert any("已验证" in m or "verified" in m for m in messages_of(opened))
    assert NotificationPreference.objects.get(user=cast["simen"]).address() == "simen@example.gov.cn"
    cast["simen"].refresh_from_db()
    _send(django_capture_on_commit_callbacks, cast["simen"], "未备案提醒", kind="unfiled")
    assert mail.outbox[-1].subject == "未备案提醒"

    again = client.get(link, follow=True)
    assert any("已使用" in m or "used" in m for m in messages_of(again))


def test_the_link_expires(client_as, cast, settings, monkeypatch):
    cast["simen"].email = "simen@example.gov.cn"
    cast["simen"].save(update_fields=["email"])
    token = notices.verification_token(user_id=cast["simen"].pk, email="simen@example.gov.cn")
    later = time.time() + settings.EMAIL_VERIFICATION_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client_as("simen").get(f"/accounts/email/verify/{token}/", follow=True)
    assert any("过期" in m or "expired" in m for m in messages_of(response))
    assert NotificationPreference.objects.filter(user=cast["simen"]).first() is None


def test_a_link_verifies_only_its_own_user_and_current_address(client_as, cast):
    cast["simen"].email = "simen@example.gov.cn"
    cast["simen"].save(update_fields=["email"])
    token = notices.verification_token(user_id=cast["simen"].pk, email="simen@example.gov.cn")
    client_as("lizhou").get(f"/accounts/email/verify/{token}/")  # someone else opens it
    assert not NotificationPreference.objects.filter(email_verified="simen@example.gov.cn").exists()
    cast["simen"].email = "new@example.gov.cn"  # the address changed since the link was sent
    cast["simen"].save(update_fields=["email"])
    client_as("simen").get(f"/accounts/email/verify/{token}/")
    assert not NotificationPreference.objects.filter(email_verified="simen@example.gov.cn").exists()


def test_bad_input_on_the_preferences_page_changes_nothing(client_as, cast):
    response = client_as("simen").post(
        "/notifications/settings/", {"email": "not an address", "delivery": "hourly", "emailed_kinds": ["nope"]}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not NotificationPreference.objects.filter(user=cast["simen"]).exists()
    cast["simen"].refresh_from_db()
    assert cast["simen"].email == ""


def test_the_preferences_page_costs_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    client = client_as("health")
    client.get("/notifications/settings/")
    with django_assert_max_num_queries(8):  # 6 measured
        response = client.get("/notifications/settings/")
    assert response.status_code == 200
    assert "备案办理时限" in response.content.decode() or "filing review deadline" in response.content.decode()


def test_every_apps_kinds_are_offered_and_the_inbox_names_a_messages_kind(client_as, cast):
    offered = set(notices.kinds())
    assert {"general", "filing_deadline", "unfiled", "fee_above_guide", "family_point_over_limit"} <= offered
    assert {"report_due", "review_deadline", "certificate_expiry"} <= offered
    page = client_as("health").get("/notifications/settings/").content.decode()
    assert page.count('name="emailed_kinds"') == len(offered)
    services.notification_send(recipient=cast["health"], title="备案逾期提醒", kind="filing_deadline")
    inbox = client_as("health").get("/notifications/").content.decode()
    assert "提醒：备案办理时限" in inbox


def test_the_service_refuses_a_bad_address_or_kind_and_changes_nothing(cast):
    from accounts.errors import ApplicationError

    for email, delivery, muted in (("not an address", "each", []), ("a@example.gov.cn", "hourly", []),
                                   ("a@example.gov.cn", "each", ["nope"])):  # fmt: skip
        with pytest.raises(ApplicationError):
            services.notification_preference_update(
                actor=cast["lizhou"], email=email, delivery=delivery, muted_kinds=muted
            )
    cast["lizhou"].refresh_from_db()
    assert cast["lizhou"].email == "" and not NotificationPreference.objects.filter(user=cast["lizhou"]).exists()
