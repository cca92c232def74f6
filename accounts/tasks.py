"""Celery tasks: thin, take ids, idempotent, retried on passing failures."""

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts import audit, selectors


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_task(self, notification_id: int) -> bool:
    """Email one notification once: the row is locked and marked in the same transaction, so
    a retried or duplicated task sends nothing twice."""
    with transaction.atomic():
        notification = selectors.notification_lock(notification_id=notification_id)
        if notification is None or notification.emailed_at is not None or not notification.recipient.email:
            return False
        send_mail(notification.title, notification.body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@shared_task
def audit_prune_task() -> dict[str, int]:
    """Daily: drop audit rows past retention. Running it twice deletes nothing more."""
    return audit.prune()
