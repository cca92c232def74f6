"""Two handlers concluding the same complaint at once: exactly one wins (PostgreSQL, where the
row lock is real; SQLite lets one writer in at a time, and the sequential refusal is tested in
test_complaints.py)."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.utils import translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent
from registry.models import Institution
from supervision.models import Complaint
from supervision.services import complaints as services
from tests.factories import UserFactory

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(not POSTGRES, reason="SQLite lets one writer in at a time: two conclusions cannot overlap there")
@pytest.mark.django_db(transaction=True)
def test_two_officers_concluding_the_same_complaint_at_once_exactly_one_wins():
    from accounts.models import User

    officers = [User.objects.get(username="amr"), UserFactory(real_name="测试·市场监管二", member_of="amr")]
    institution = Institution.objects.get(name="【演示】梨洲街道启航托育园")
    complaint = services.complaint_submit(category="fees", institution=institution, description="并发测试")
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}
    outcomes = ["substantiated", "not_substantiated"]

    def conclude(index):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = services.complaint_conclude(
                    actor=officers[index], complaint=complaint, outcome=outcomes[index], findings="f", reply="r"
                )
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=conclude, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [index for index, result in results.items() if isinstance(result, Complaint)]
    losers = [result for result in results.values() if isinstance(result, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    complaint.refresh_from_db()
    assert complaint.outcome == outcomes[winners[0]] and complaint.concluded_by == officers[winners[0]]
    assert AuditEvent.objects.filter(event="complaint.concluded", object_id=str(complaint.pk)).count() == 1
