"""Figures are fresh (issue 13, point 16): in the embedded mode (no broker, tasks run in-process)
a change refreshes the dashboard snapshots right after it commits, so the page the user opens
next shows it; with a broker the refresh is queued a minute later, once per burst.

The commit is what is under test: the callbacks a commit runs are executed with
``django_capture_on_commit_callbacks(execute=True)`` instead of a transactional test.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from dashboard.models import Snapshot
from dashboard.services import snapshots as snapshot_services
from registry.models import ClassGroup, Filing

pytestmark = pytest.mark.django_db

SIMEN = "330281103"  # 泗门镇
LANGXIA = "330281006"  # 朗霞街道: one filing, waiting for review within its time


def figure(client, township: str, code: str) -> Decimal | None:
    board = client.get(reverse("township_dashboard", args=[township])).context["board"]
    return next(row.value for row in board.rows if row.indicator.code == code)


def waiting_filing(township: str) -> Filing:
    return Filing.objects.get(institution__township__code=township, status=Filing.Status.SUBMITTED)


def test_accepting_a_filing_moves_the_township_dashboard_at_once(client_as, django_capture_on_commit_callbacks):
    snapshot_services.snapshots_refresh()  # the figures as they stand before the change
    simen = client_as("simen")
    before = figure(simen, SIMEN, "institutions"), figure(simen, SIMEN, "slots")
    filing = waiting_filing(SIMEN)
    places = sum(ClassGroup.objects.filter(institution=filing.institution).values_list("places", flat=True))
    assert places

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("health").post(reverse("filing_accept", args=[filing.pk]), {"note": ""})
    assert response.status_code == 302
    assert (figure(simen, SIMEN, "institutions"), figure(simen, SIMEN, "slots")) == (before[0] + 1, before[1] + places)


def test_a_decision_made_by_a_conditional_update_moves_the_filing_rate_at_once(
    client_as, django_capture_on_commit_callbacks
):
    """A rejection saves no model instance (the decision is an ``update()``); its business
    event on the filing is what asks for the refresh."""
    snapshot_services.snapshots_refresh()
    health = client_as("health")
    assert figure(health, LANGXIA, "filing_on_time") is None  # nothing decided there this year

    with django_capture_on_commit_callbacks(execute=True):
        health.post(reverse("filing_reject", args=[waiting_filing(LANGXIA).pk]), {"note": "场所不符合要求。"})
    assert figure(health, LANGXIA, "filing_on_time") == Decimal("100")


def test_one_refresh_per_transaction_however_many_rows_change(monkeypatch, django_capture_on_commit_callbacks):
    runs = []
    monkeypatch.setattr(snapshot_services, "snapshots_refresh", lambda **kwargs: runs.append(kwargs) or 0)
    groups = list(ClassGroup.objects.all()[:5])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for group in groups:
            group.enrolled = max(group.enrolled - 1, 0)
            group.save(update_fields=["enrolled"])
    assert len(callbacks) == 1 and len(runs) == 1


def test_with_a_broker_the_refresh_is_queued_a_minute_later_once_per_burst(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from dashboard.tasks import snapshots_refresh_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete("dashboard:refresh-queued")
    queued = []
    monkeypatch.setattr(snapshots_refresh_task, "apply_async", lambda **kwargs: queued.append(kwargs))
    before = Snapshot.objects.values_list("computed_at", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        for group in ClassGroup.objects.all()[:3]:
            group.save(update_fields=["enrolled"])
    assert queued == [{"countdown": 60}]
    assert Snapshot.objects.values_list("computed_at", flat=True).first() == before
    cache.delete("dashboard:refresh-queued")
