"""Who may act on dashboards, targets and periodic reports: every "may this user do that" of
the app, in one place.

The *see* rules are in ``accounts/policy.py`` (rules 26–29, with the scopes this app
registers in ``dashboard/scopes.py``); these are the *act* rules (rule 30). Pages, the API and the
selectors ask them; the services ask them again before they write.

Dashboards and targets
    ``may_view_city``       ``dashboard.view`` with the city's dashboard in sight
    ``may_refresh``         recompute the snapshots now: ``targets.manage`` (the health bureau)
    ``may_manage_targets``  ``targets.manage``
Periodic reports
    ``may_read_reports``    the report pages open at all: reporters, the approver, the leading group
    ``reporting_region``    the organisation and region the actor reports for, or None
    ``is_reporter``         the actor reports for the report's region
    ``may_change_report``   the reporter, while the report is a draft or returned
    ``may_approve``         ``reports.approve``: approve or return submitted reports
    ``may_decide_report``   the approver, while the report is submitted
    ``may_correct_report``  the reporter, an approved report not yet corrected
"""

from accounts import policy
from accounts.models import Organisation, Region
from dashboard.models import PeriodicReport, Snapshot

VIEW_DUTY = "dashboard.view"
TARGETS_DUTY = "targets.manage"
APPROVE_DUTY = "reports.approve"
SUBMIT_DUTY = "reports.submit"
# A report its reporter may still change and submit.
EDITABLE = (PeriodicReport.Status.DRAFT, PeriodicReport.Status.RETURNED)


# --- Dashboards and targets ---------------------------------------------------------------


def may_view_city(actor) -> bool:
    return (
        policy.has_duty(actor, VIEW_DUTY)
        and policy.visible(actor, Snapshot.objects.filter(region__level=Region.Level.CITY)).exists()
    )


def may_refresh(actor) -> bool:
    """Who may recompute the snapshots now (the health bureau, which keeps the targets)."""
    return policy.has_duty(actor, TARGETS_DUTY)


def may_manage_targets(actor) -> bool:
    return policy.has_duty(actor, TARGETS_DUTY)


# --- Periodic reports ---------------------------------------------------------------------


def may_read_reports(actor) -> bool:
    """Whether the report pages open at all (rule 28): a reporter (a township, the city's
    guidance centre), the approver (the health bureau) or the leading group, whatever their role;
    anyone else would only ever find an empty list, so they are refused (403)."""
    return (
        policy.holds(actor, SUBMIT_DUTY)
        or policy.holds(actor, APPROVE_DUTY)
        or any(org.kind == Organisation.Kind.LEADERSHIP for org in policy.organisations_of(actor))
    )


def reporting_region(actor) -> tuple[Organisation, Region] | None:
    """A township reports for its township; a city-wide reporter (the guidance centre at the
    MCH hospital) and the health bureau for the city's own figures."""
    organisation = policy.acting_organisation(actor, SUBMIT_DUTY) or policy.acting_organisation(actor, APPROVE_DUTY)
    if organisation is not None:
        return organisation, organisation.jurisdiction
    return None


def is_reporter(actor, report: PeriodicReport) -> bool:
    """The actor reports for the report's region (and so writes, submits and corrects it)."""
    place = reporting_region(actor)
    return place is not None and place[1].pk == report.region_id


def may_change_report(actor, report: PeriodicReport) -> bool:
    return report.status in EDITABLE and is_reporter(actor, report)


def may_approve(actor) -> bool:
    return policy.has_duty(actor, APPROVE_DUTY)


def may_decide_report(actor, report: PeriodicReport) -> bool:
    return report.status == PeriodicReport.Status.SUBMITTED and may_approve(actor)


def may_correct_report(actor, report: PeriodicReport, *, corrected: bool) -> bool:
    """``corrected``: a correction of this report exists already (one correction at a time)."""
    return report.status == PeriodicReport.Status.APPROVED and not corrected and is_reporter(actor, report)
