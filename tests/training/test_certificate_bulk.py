"""Certificates verified or rejected in bulk by the HR bureau (issue 17): all or nothing, each
certificate checked as the single decision checks it and audited on its own, a batch limit, and
a number of queries that grows by a constant per certificate."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification, SecurityEvent, User
from paperwork import bulk
from tests.factories import CertificateFactory
from tests.helpers import messages_of
from training.models import Certificate, StaffMember
from training.services import certificates as services

pytestmark = pytest.mark.django_db

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, 泗门镇
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道


def _pending(code: str, count: int) -> list[Certificate]:
    member = StaffMember.objects.filter(institution__organisation__code=code, left_on__isnull=True).first()
    return [CertificateFactory(staff=member) for _ in range(count)]


def _post(client, certificates, decision="verified", note="", **extra):
    data = {"ids": [getattr(c, "pk", c) for c in certificates], "decision": decision, "note": note, **extra}
    return client.post(reverse("certificate_bulk_decide"), data, follow=True)


def _statuses(certificates) -> list[str]:
    return [Certificate.objects.get(pk=c.pk).status for c in certificates]


def test_the_hr_bureau_verifies_the_chosen_certificates_each_audited(en, cast):
    chosen = _pending(INSTITUTION_A, 2) + _pending(INSTITUTION_B, 1)
    response = _post(en("hrss"), chosen, note="批量核验")
    assert messages_of(response) == ["3 certificates verified."]
    for certificate in chosen:
        certificate.refresh_from_db()
        assert (certificate.status, certificate.verification_note) == ("verified", "批量核验")
        assert certificate.verified_by.code == "hrss" and certificate.verified_at is not None
        event = AuditEvent.objects.get(event="certificate.verified", object_id=str(certificate.pk))
        assert event.actor_id == cast["hrss"].pk
    # Each institution is told once, with the names.
    notice = Notification.objects.filter(recipient=cast["nursery1"], title="2 certificates verified").get()
    assert chosen[0].staff.name in notice.body
    assert Notification.objects.filter(recipient=cast["nursery2"], title="1 certificate verified").exists()


def test_a_bulk_rejection_needs_a_reason_and_then_rejects_them_all(en):
    chosen = _pending(INSTITUTION_A, 2)
    response = _post(en("hrss"), chosen, decision="rejected", note="  ")
    assert messages_of(response) == ["Say why the certificates are rejected.", "Give a reason."]
    assert _statuses(chosen) == ["pending", "pending"]
    response = _post(en("hrss"), chosen, decision="rejected", note="扫描件模糊")
    assert messages_of(response) == ["2 certificates rejected."]
    assert _statuses(chosen) == ["rejected", "rejected"]


def test_one_certificate_already_decided_changes_nothing_and_is_named(en):
    chosen = _pending(INSTITUTION_A, 3)
    decided = chosen[1]
    Certificate.objects.filter(pk=decided.pk).update(status=Certificate.Status.VERIFIED)
    audits = AuditEvent.objects.filter(event="certificate.verified").count()
    response = _post(en("hrss"), chosen)
    assert messages_of(response) == [
        "Nothing was changed: 1 of the chosen rows cannot be acted on.",
        f"{decided.staff.name} · {decided.kind.name} {decided.number}: already decided (Verified).",
    ]
    assert _statuses(chosen) == ["pending", "verified", "pending"]
    assert AuditEvent.objects.filter(event="certificate.verified").count() == audits


def test_the_refusal_is_in_chinese(client_as):
    chosen = _pending(INSTITUTION_A, 1)
    Certificate.objects.filter(pk=chosen[0].pk).update(status=Certificate.Status.REJECTED)
    [summary, item] = messages_of(_post(client_as("hrss"), chosen))
    assert summary == "未作任何更改：所选的 1 项不能办理。"
    assert item.endswith("已经办理过（未通过）。")


def test_a_certificate_that_is_not_there_changes_nothing_and_is_named_by_its_number(en):
    """The HR bureau sees every certificate of the city (policy rule 23): a row out of its sight
    is one that does not exist (any longer), and is named by its number only."""
    chosen = _pending(INSTITUTION_A, 2)
    gone = _pending(INSTITUTION_B, 1)[0]
    gone_pk = gone.pk
    gone.delete()
    response = _post(en("hrss"), [*chosen, gone_pk])
    assert messages_of(response) == [
        "Nothing was changed: 1 of the chosen rows cannot be acted on.",
        f"No. {gone_pk}: not found, or not in your sight.",
    ]
    assert _statuses(chosen) == ["pending", "pending"]


def test_only_the_hr_bureau_decides_in_bulk(client_as):
    chosen = _pending(INSTITUTION_A, 2)
    for username in ("health", "nursery1", "simen"):
        assert _post(client_as(username), chosen).status_code == 403, username
    assert _statuses(chosen) == ["pending", "pending"]
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED, username="health").exists()


def test_a_batch_is_at_most_two_hundred(en):
    chosen = _pending(INSTITUTION_A, 1)
    ids = [chosen[0].pk, *range(10**6, 10**6 + bulk.BATCH_MAX)]
    response = _post(en("hrss"), ids)
    assert messages_of(response) == ["At most 200 rows may be acted on at once; 201 were chosen."]
    assert _statuses(chosen) == ["pending"]
    assert messages_of(_post(en("hrss"), [])) == ["Choose at least one row."]
    assert messages_of(_post(en("hrss"), ["x"])) == ["The chosen rows are not valid."]


def test_a_single_decision_that_came_first_makes_the_batch_refuse(cast):
    """The batch locks its rows before judging them: what a single decision did first is seen."""
    chosen = _pending(INSTITUTION_A, 2)
    services.certificate_verify(actor=cast["hrss"], certificate=chosen[0])
    with pytest.raises(ApplicationError):
        services.certificates_decide_many(actor=cast["hrss"], ids=[c.pk for c in chosen], status="verified")
    assert _statuses(chosen) == ["verified", "pending"]


def _queries_for(client, count: int) -> int:
    chosen = _pending(INSTITUTION_A, count)
    with CaptureQueriesContext(connection) as queries:
        assert messages_of(_post(client, chosen)) == [f"{count} certificates verified."]
    return len(queries)


def test_the_bulk_decision_grows_by_a_constant_per_certificate(en):
    client = en("hrss")
    few, many = _queries_for(client, 2), _queries_for(client, 12)
    # One audit row per certificate; the rest (the sight, the lock, the update, each
    # institution's message, the page it returns to) does not grow with the batch.
    assert many - few <= 10 * 1, (few, many)


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_with_its_bulk_bar_keeps_a_fixed_number_of_queries(client_as, count, django_assert_max_num_queries):
    _pending(INSTITUTION_A, count)
    with django_assert_max_num_queries(12):
        response = client_as("hrss").get(reverse("certificate_queue"))
    html = response.content.decode()
    assert 'data-testid="bulk-bar"' in html and 'data-bulk-all="bulk-certificates"' in html
    assert html.count('form="bulk-certificates"') == min(count + 1, 25)  # the demo's one and these, a page


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so the two cannot overlap there; "
    "the sequential test covers the refusal on both databases",
)
@pytest.mark.django_db(transaction=True)
def test_a_bulk_decision_and_a_single_one_at_once_exactly_one_wins():
    hrss = User.objects.get(username="hrss")
    chosen = _pending(INSTITUTION_A, 2)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name, action):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[name] = action()
        except ApplicationError as error:
            results[name] = error
        finally:
            connections.close_all()

    actions = {
        "bulk": lambda: services.certificates_decide_many(actor=hrss, ids=[c.pk for c in chosen], status="verified"),
        "single": lambda: services.certificate_reject(actor=hrss, certificate=chosen[1], note="模糊"),
    }
    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    losers = [name for name, result in results.items() if isinstance(result, ApplicationError)]
    assert len(losers) == 1, results
    if losers == ["bulk"]:
        assert _statuses(chosen) == ["pending", "rejected"]
    else:
        assert _statuses(chosen) == ["verified", "verified"]
    decisions = AuditEvent.objects.filter(
        event__in=["certificate.verified", "certificate.rejected"], object_id__in=[str(c.pk) for c in chosen]
    ).count()
    assert decisions == (1 if losers == ["bulk"] else 2)
