"""Who may act in daily supervision: every "may this user do that" of the app.

The *see* rule of complaints is the policy's (rule 32, with the scopes in
``supervision/scopes.py``): the organisations a complaint was routed or referred to. These are
the *act* rules (rule 30); pages ask them to show an action, the services ask them again.

Complaints
    ``handling_organisation``   the active handler through which the actor acts (officer or head)
    ``can_handle_complaint``    acknowledge, conclude or refer: an active handler's officers
    ``can_reveal_contact``      unmask the complainant's name and phone: the same, audited
    ``can_open_case``           a handler holding ``case.manage``, on a substantiated complaint
                                about an unregistered provider with no case yet
    ``may_see_complaints``      the complaint list: members of an organisation that handles
                                complaints of some category
QR poster
    ``can_download_poster``     the institution's own members and the health bureau
"""

from accounts import policy
from accounts.models import Organisation
from registry.models import Institution
from supervision import routing

POSTER_DUTY = "filing.review"
CASE_DUTY = "case.manage"


def handling_organisation(actor, complaint) -> Organisation | None:
    """The active handler of this complaint that the actor is an officer or head of."""
    acting = {
        membership.organisation_id
        for membership in policy.memberships(actor)
        if membership.role in membership.ACTING_ROLES
    }
    for handler in complaint.handlers.all():
        if handler.active and handler.organisation_id in acting:
            return handler.organisation
    return None


def can_handle_complaint(actor, complaint) -> bool:
    return complaint.is_open and handling_organisation(actor, complaint) is not None


def can_reveal_contact(actor, complaint) -> bool:
    return handling_organisation(actor, complaint) is not None


def can_open_case(actor, complaint) -> bool:
    return (
        complaint.outcome == complaint.Outcome.SUBSTANTIATED
        and not complaint.institution_id
        and not complaint.case_id
        and handling_organisation(actor, complaint) is not None
        and policy.has_duty(actor, CASE_DUTY)
    )


def may_see_complaints(actor) -> bool:
    """Departments and townships that complaints are routed to, whatever the role."""
    return any(policy.holds(actor, duty) for duty in routing.handling_duties())


def can_download_poster(actor, institution: Institution) -> bool:
    own = {org.pk for org in policy.organisations_of(actor)}
    return institution.organisation_id in own or policy.holds(actor, POSTER_DUTY)
