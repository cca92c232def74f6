"""Celery tasks: thin, take ids, idempotent, retried on passing failures."""

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts import audit, notices, selectors, services


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_task(self, notification_id: int) -> bool:
    """Email one notification once: the row is locked and marked in the same transaction, so
    a retried or duplicated task sends nothing twice. Only to a verified address that takes
    each message of this kind (the preference may have changed since the message was made)."""
    with transaction.atomic():
        notification = selectors.notification_lock(notification_id=notification_id)
        if notification is None or notification.emailed_at is not None:
            return False
        preference = services.notification_preference_of(notification.recipient)
        address = preference.address()
        if (
            not address
            or preference.delivery != preference.Delivery.EACH
            or not preference.emails_kind(notification.kind)
        ):
            return False
        send_mail(notification.title, notices.notification_text(notification), None, [address])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_verification_task(user_id: int) -> bool:
    """Mail the verification link to the user's current address, if it is not verified yet
    (a duplicated task sends a second link for the same address, which does no harm: the
    first one opened verifies it and the other then says so)."""
    user = selectors.user_for_mail(user_id=user_id)
    if user is None or not user.email:
        return False
    if services.notification_preference_of(user).address():
        return False
    subject, body = notices.verification_message(user_id=user.pk, email=user.email)
    send_mail(subject, body, None, [user.email])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_digest_task(user_id: int) -> int:
    """One user's daily digest (idempotent: once a day, see ``notification_digest_send``)."""
    return services.notification_digest_send(user_id=user_id)


@shared_task
def notification_digests_task() -> int:
    """Daily: queue the digest of every user who chose one and has a verified address."""
    user_ids = selectors.digest_recipient_ids()
    for user_id in user_ids:
        notification_digest_task.delay(user_id)
    return len(user_ids)


@shared_task
def audit_prune_task() -> dict[str, int]:
    """Daily: drop audit rows past retention. Running it twice deletes nothing more."""
    return audit.prune()
