"""The incident pages and API in the permission matrix.

Who sees what (accounts.policy rule 33): an incident is seen by its institution, the township
around it and the health bureau (``incident.receive``). Incident A is nursery1's (泗门镇),
incident B nursery2's (梨洲街道). Proposals for the ban list are seen by the keepers of the list
only (the health bureau); each target proposal is made by another keeper, so that the health
bureau's demo officer is the second person who may decide it.

Targets are made per requesting user inside the test's transaction, so an action finds its
object unchanged for the next user.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Membership, Organisation, User
from registry.models import Institution
from supervision.models import BanProposal, Incident
from tests.permission_matrix import INSTITUTIONS, Case

INSTITUTION_CODE = {"a": "demo-simen-xingxing", "b": "demo-lizhou-yangguang"}
REPORTER = {"a": "nursery1", "b": "nursery2"}
SIGHT = {"a": frozenset({"health", "simen", "nursery1"}), "b": frozenset({"health", "lizhou", "nursery2"})}
HANDLERS = frozenset({"health"})
# Who opens the list: institutions, townships, the health bureau; 403 for everyone else.
LIST_READERS = frozenset({"health", "simen", "lizhou"}) | INSTITUTIONS


def incident(side: str, kind: str = Incident.Kind.INJURY) -> Incident:
    return Incident.objects.create(
        institution=Institution.objects.get(organisation__code=INSTITUTION_CODE[side]),
        kind=kind,
        occurred_at=timezone.now() - timedelta(hours=2),
        reported_by=User.objects.get(username=REPORTER[side]),
        description="矩阵：测试事件",
    )


def _second_keeper() -> User:
    """Another officer of the health bureau: the proposer, so the demo officer may decide."""
    user, created = User.objects.get_or_create(username="matrix-second-keeper")
    if created:
        Membership.objects.create(user=user, organisation=Organisation.objects.get(code="health"), role="officer")
    return user


def proposal(side: str) -> BanProposal:
    return BanProposal.objects.create(
        incident=incident(side, Incident.Kind.SUSPECTED_ABUSE),
        name="矩阵某",
        id_number="11010519491231002X",
        id_hash=f"matrix-{side}-{BanProposal.objects.count()}",
        reason="矩阵：疑似虐童",
        proposed_by=_second_keeper(),
    )


TARGETS = {
    "incident_a": lambda username: {"pk": incident("a").pk},
    "incident_b": lambda username: {"pk": incident("b").pk},
    "abuse_incident_a": lambda username: {"pk": incident("a", Incident.Kind.SUSPECTED_ABUSE).pk},
    "abuse_incident_b": lambda username: {"pk": incident("b", Incident.Kind.SUSPECTED_ABUSE).pk},
    "ban_proposal_a": lambda username: {"pk": proposal("a").pk},
    "ban_proposal_b": lambda username: {"pk": proposal("b").pk},
}


def _sides(url_name: str, target: str, allowed: frozenset | None = None, **kwargs) -> list[Case]:
    if url_name.startswith("api"):
        kwargs.setdefault("anonymous", 401)
    cases = []
    for side in ("a", "b"):
        ok = SIGHT[side] if allowed is None else allowed
        cases.append(Case(url_name, ok, target=target.replace("?", side), visible=SIGHT[side] - ok, **kwargs))
    return cases


CASES = [
    Case("incident_list", LIST_READERS, denied=403),
    Case("incident_report", INSTITUTIONS, denied=403),
    # A post with nothing in it: the form answers with its errors (200) to the institutions.
    Case("incident_report", INSTITUTIONS, method="post", denied=403),
    *_sides("incident_detail", "incident_?"),
    *_sides("incident_acknowledge", "incident_?", HANDLERS, method="post", ok=302),
    *_sides("incident_close", "incident_?", HANDLERS, method="post", ok=302, data={"note": "矩阵：已处理"}),
    *_sides("incident_ban_propose", "abuse_incident_?", HANDLERS, method="post", ok=302),
    # Proposals are the keepers' alone: to everyone else they do not exist.
    Case("ban_proposal_decide", HANDLERS, target="ban_proposal_a", method="post", ok=302, data={"decision": "reject"}),
    Case("ban_proposal_decide", HANDLERS, target="ban_proposal_b", method="post", ok=302, data={"decision": "reject"}),
    # --- API ---------------------------------------------------------------------------
    Case("api_incident_list", LIST_READERS, denied=403, anonymous=401),
    # An empty report: 400 with the field errors for an institution, 403 for anyone else.
    Case("api_incident_list", INSTITUTIONS, method="post", ok=400, denied=403, anonymous=401),
    *_sides("api_incident_detail", "incident_?"),
]
