"""Incidents (issue 15, point 2): an institution reports within a deadline in hours (a
parameter), through the page and the API; the health bureau and the township are told at
once; a late report is flagged; suspected abuse opens a case and lets a keeper of the ban list
propose the person, whom a second keeper must confirm.

The cast (tests/conftest.py): ``nursery1`` heads an institution in 泗门镇 (``simen``),
``nursery2`` one in 梨洲街道 (``lizhou``); ``health`` receives incidents and keeps the ban list.
The demo holds nursery1's injury (waiting) and nursery2's late infectious cluster.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Membership, Notification, Organisation, User
from inspections.models import BanEntry, Case
from registry.models import Institution, Parameter
from supervision.models import BanProposal, Incident
from supervision.services import incidents as services
from tests.helpers import error_of, messages_of, post_json

pytestmark = pytest.mark.django_db

BARRED_ID = "11010519491231002X"  # a valid resident ID number (check character X)


def _institution(code="demo-simen-xingxing") -> Institution:
    return Institution.objects.get(organisation__code=code)


def _form(hours_ago: float, kind=Incident.Kind.INJURY, institution=None) -> dict:
    when = timezone.localtime(timezone.now() - timedelta(hours=hours_ago))
    return {
        "institution": (institution or _institution()).pk,
        "kind": kind,
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "children_affected": "1",
        "description": "午睡时一名幼儿从床上跌落，手臂疼痛，已送医。",
        "actions_taken": "通知家长，陪同就医。",
    }


def _second_keeper() -> User:
    user = User.objects.create_user(username="health-second", password="x")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(code="health"), role="officer")
    return user


def test_a_report_in_time_reaches_the_health_bureau_and_its_own_township_at_once(client_as, cast):
    before = set(Notification.objects.values_list("pk", flat=True))
    response = client_as("nursery1").post(reverse("incident_report"), _form(hours_ago=2))
    incident = Incident.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("incident_detail", args=[incident.pk])
    assert incident.institution == _institution() and not incident.late
    assert incident.status == Incident.Status.REPORTED
    told = {n.recipient.username for n in Notification.objects.exclude(pk__in=before).select_related("recipient")}
    assert {"health", "simen"} <= told
    assert not told & {"lizhou", "nursery2", "fire", "amr"}
    assert AuditEvent.objects.filter(event="incident.reported", object_id=str(incident.pk)).exists()


def test_a_report_after_the_deadline_is_taken_and_flagged_late_and_the_deadline_is_the_bureau_s(client_as):
    Parameter.objects.filter(key="incident.report_hours").update(value=2)
    client_as("nursery1").post(reverse("incident_report"), _form(hours_ago=3))
    late = Incident.objects.latest("pk")
    client_as("nursery1").post(reverse("incident_report"), _form(hours_ago=1))
    on_time = Incident.objects.latest("pk")
    assert late.late and not on_time.late
    page = client_as("health").get(reverse("incident_list"), {"late": "on"})
    listed = {incident.pk for incident in page.context["page"]}
    assert late.pk in listed and on_time.pk not in listed


@pytest.mark.parametrize(
    "when, message",
    [
        (timezone.now() + timedelta(days=1), "发生时间不能晚于现在"),
        (timezone.now() - timedelta(days=400), "超过一年"),
    ],
)
def test_an_incident_in_the_future_or_over_a_year_old_is_refused_with_a_message(client_as, when, message):
    count = Incident.objects.count()
    data = {**_form(0), "occurred_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")}
    response = client_as("nursery1").post(reverse("incident_report"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Incident.objects.count() == count


def test_an_institution_cannot_report_for_another_one_through_the_api(client_as):
    count = Incident.objects.count()
    data = {**_form(1, institution=_institution("demo-lizhou-yangguang")), "occurred_at": timezone.now().isoformat()}
    response = post_json(client_as("nursery1"), reverse("api_incident_list"), data)
    assert error_of(response)["fields"]["institution"]
    assert Incident.objects.count() == count


def test_an_institution_reports_through_the_api_and_gets_the_flag_back(client_as):
    data = {**_form(0), "occurred_at": (timezone.now() - timedelta(hours=30)).isoformat()}
    response = post_json(client_as("nursery1"), reverse("api_incident_list"), data)
    assert response.status_code == 201, response.content
    assert response.json()["late"] is True and response.json()["status"] == "reported"


def test_suspected_abuse_opens_a_case_with_the_health_bureau(client_as):
    client_as("nursery1").post(reverse("incident_report"), _form(1, kind=Incident.Kind.SUSPECTED_ABUSE))
    incident = Incident.objects.latest("pk")
    case = incident.case
    assert case is not None and case.institution == _institution() and case.recorded_by.code == "health"
    assert case.status == Case.Status.OPEN
    cases = client_as("health").get(reverse("case_list"))
    assert case.pk in {listed.pk for listed in cases.context["page"]}
    # The institution does not see the case, only that one was opened.
    detail = client_as("nursery1").get(reverse("incident_detail", args=[incident.pk]))
    assert reverse("case_detail", args=[case.pk]) not in detail.content.decode()


def test_the_ban_list_takes_a_proposed_person_only_when_a_second_keeper_confirms(client_as, cast):
    client_as("nursery1").post(reverse("incident_report"), _form(1, kind=Incident.Kind.SUSPECTED_ABUSE))
    incident = Incident.objects.latest("pk")
    proposer = cast["health"]
    response = client_as("health").post(
        reverse("incident_ban_propose", args=[incident.pk]),
        {"name": "王某", "id_number": BARRED_ID, "reason": "监控显示推搡幼儿"},
    )
    assert response.status_code == 302
    proposal = BanProposal.objects.get(incident=incident)
    assert proposal.status == BanProposal.Status.PENDING and not BanEntry.objects.filter(id_hash=proposal.id_hash)

    with pytest.raises(ApplicationError, match="提议人以外"):
        services.ban_proposal_decide(actor=proposer, proposal=proposal, confirm=True)
    assert not BanEntry.objects.filter(id_hash=proposal.id_hash).exists()

    second = _second_keeper()
    services.ban_proposal_decide(actor=second, proposal=proposal, confirm=True, note="会商同意")
    proposal.refresh_from_db()
    assert proposal.status == BanProposal.Status.CONFIRMED and proposal.ban_entry is not None
    assert BanEntry.objects.filter(id_hash=proposal.id_hash).count() == 1
    # The other keeper, a moment later, finds it decided: the person is listed once.
    with pytest.raises(ApplicationError):
        services.ban_proposal_decide(actor=_third_keeper(), proposal=proposal, confirm=True)
    assert BanEntry.objects.filter(id_hash=proposal.id_hash).count() == 1
    events = set(AuditEvent.objects.filter(object_id=str(proposal.pk)).values_list("event", flat=True))
    assert {"ban.proposed", "ban.proposal_confirmed"} <= events


def _third_keeper() -> User:
    user = User.objects.create_user(username="health-third", password="x")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(code="health"), role="officer")
    return user


def test_a_rejection_needs_a_reason_and_lists_nobody(cast):
    incident = services.incident_report(
        actor=cast["nursery1"], institution=_institution(), kind=Incident.Kind.SUSPECTED_ABUSE,
        occurred_at=timezone.now() - timedelta(hours=1), description="疑似",
    )  # fmt: skip
    proposal = services.ban_propose(
        actor=cast["health"], incident=incident, name="李某", id_number=BARRED_ID, reason="x"
    )
    second = _second_keeper()
    with pytest.raises(ApplicationError):
        services.ban_proposal_decide(actor=second, proposal=proposal, confirm=False, note=" ")
    services.ban_proposal_decide(actor=second, proposal=proposal, confirm=False, note="证据不足")
    proposal.refresh_from_db()
    assert proposal.status == BanProposal.Status.REJECTED
    assert not BanEntry.objects.filter(id_hash=proposal.id_hash).exists()


def test_only_suspected_abuse_leads_to_a_proposal(client_as, cast):
    injury = Incident.objects.get(institution=_institution(), kind=Incident.Kind.INJURY)  # the demo's
    response = client_as("health").post(
        reverse("incident_ban_propose", args=[injury.pk]), {"name": "王某", "id_number": BARRED_ID, "reason": "x"}
    )
    assert response.status_code == 403
    assert not BanProposal.objects.exists()


def test_the_health_bureau_acknowledges_then_closes_with_the_follow_up(client_as):
    incident = Incident.objects.get(institution=_institution(), kind=Incident.Kind.INJURY)
    client = client_as("health")
    client.post(reverse("incident_acknowledge", args=[incident.pk]))
    again = client.post(reverse("incident_acknowledge", args=[incident.pk]), follow=True)
    assert "该事件已受理" in " ".join(messages_of(again))
    refused = client.post(reverse("incident_close", args=[incident.pk]), {"note": "  "}, follow=True)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACKNOWLEDGED and messages_of(refused)
    client.post(reverse("incident_close", args=[incident.pk]), {"note": "已回访家长，场地已整改"})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.closing_note == "已回访家长，场地已整改"


def test_the_home_page_tells_the_health_bureau_of_incidents_waiting(client_as):
    home = client_as("health").get(reverse("home")).content.decode()
    assert "待受理的突发事件" in home


def test_the_incident_list_and_api_keep_their_query_count_whatever_the_number(
    client_as, cast, django_assert_max_num_queries
):
    for index in range(12):
        Incident.objects.create(
            institution=_institution("demo-lizhou-yangguang" if index % 2 else "demo-simen-xingxing"),
            kind=Incident.Kind.FIRE, occurred_at=timezone.now() - timedelta(hours=index),
            reported_by=cast["nursery1"], description=f"第{index}起",
        )  # fmt: skip
    client = client_as("health")
    client.get(reverse("incident_list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("incident_list")).status_code == 200
    with django_assert_max_num_queries(9):  # the filter set's township choices: one query
        response = client.get(reverse("api_incident_list"))
    assert response.status_code == 200 and response.json()["count"] >= 14


def test_a_person_already_proposed_is_not_proposed_twice(cast):
    incident = services.incident_report(
        actor=cast["nursery1"], institution=_institution(), kind=Incident.Kind.SUSPECTED_ABUSE,
        occurred_at=timezone.now() - timedelta(hours=1), description="疑似",
    )  # fmt: skip
    services.ban_propose(actor=cast["health"], incident=incident, name="李某", id_number=BARRED_ID, reason="x")
    with pytest.raises(ApplicationError, match="已被提议"):
        services.ban_propose(actor=_second_keeper(), incident=incident, name="李某", id_number=BARRED_ID, reason="y")
    assert BanProposal.objects.filter(incident=incident).count() == 1
