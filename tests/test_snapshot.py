"""The snapshot that committing tests leave behind them (tests/snapshot.py): after Django's
flush empties every table, the cast, its sessions and the audit trail come back as they were."""

import pytest
from django.core.management import call_command
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
