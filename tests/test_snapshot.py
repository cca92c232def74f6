"""The snapshot that committing tests leave behind them (tests/snapshot.py): at the end of such
a test, or after Django's flush empties every table, the cast, its sessions and the audit trail
come back as they were."""

import pytest
from django.core.management import call_command
from django.test import TransactionTestCase
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Notification, User
from registry.models import Institution
from tests import snapshot
from tests.conftest import CAST, client_for


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "institutions": Institution.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_snapshot_brings_back_the_cast_and_its_sessions():
    before = _counts()
    before_ids = list(Notification.objects.values_list("pk", flat=True)) or [0]
    assert before["institutions"] > 0 and User.objects.filter(username__in=CAST).count() == len(CAST)

    call_command("flush", interactive=False, verbosity=0)  # what a committing test ends with
    assert (
        Institution.objects.count() == 0 and client_for("health").get(reverse("notification_list")).status_code == 302
    )

    snapshot.restore()
    assert _counts() == before  # the audit trail too: the copy itself is not audited
    assert client_for("health").get(reverse("notification_list")).status_code == 200
    # The flush reset the id sequences; after the copy, new rows take ids the copy does not hold.
    health = User.objects.get(username="health")
    assert Notification.objects.create(recipient=health, title="快照之后").pk > max(before_ids)


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_ends_with_the_snapshot_put_back_instead_of_a_flush(monkeypatch):
    from tests import conftest

    before = _counts()
    notifications = Notification.objects.count()
    health = User.objects.get(username="health")
    Notification.objects.create(recipient=health, title="测试中提交的通知")
    User.objects.filter(username="leader").update(real_name="改过的名字")

    def flush(test_case):
        raise AssertionError("the flush ran although a snapshot was there to put back")

    monkeypatch.setattr(conftest, "_flush", flush)
    TransactionTestCase()._fixture_teardown()  # what pytest-django calls at the test's end

    assert _counts() == before and Notification.objects.count() == notifications
    assert User.objects.get(username="leader").real_name != "改过的名字"
    assert client_for("health").get(reverse("notification_list")).status_code == 200
