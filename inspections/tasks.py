"""Scheduled work of the annual review: thin tasks, idempotent, retried."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from inspections.models import RectificationOrder
from inspections.services.decisions import order_escalate


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def orders_escalate_overdue_task() -> int:
    """Escalate every overdue, unanswered order once (a second run escalates nothing)."""
    overdue = RectificationOrder.objects.filter(
        status=RectificationOrder.Status.OPEN, deadline__lt=timezone.localdate(), escalated_at__isnull=True
    ).select_related("institution__township")
    return sum(order_escalate(order=order) for order in overdue)
