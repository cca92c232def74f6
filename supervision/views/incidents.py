"""Incident pages: the institution reports, the health bureau and the township follow, the
health bureau acknowledges and closes; after suspected abuse, a keeper of the ban list
proposes the person and a second keeper confirms.

Sight comes from the policy through the selectors (out of sight: 404); who may act is asked
before the input is judged (in sight but not allowed: 403, logged). A refusal by a service
is shown as its message and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists, policy
from accounts.errors import ApplicationError
from supervision import rules
from supervision.forms.incidents import (
    BanDecideForm,
    BanProposeForm,
    IncidentCloseForm,
    IncidentReportForm,
)
from supervision.lists import INCIDENT_LIST_DUTIES
from supervision.models import Incident
from supervision.selectors import incidents as selectors
from supervision.services import incidents as services

PAGE_SIZE = 25
# Who opens the list: the reporting institutions, their townships and the health bureau.
LIST_DUTIES = INCIDENT_LIST_DUTIES


def _errors_to_messages(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_GET
def incident_list(request):
    """Incidents in the user's sight (``supervision.lists``: the same filter set as the export
    and the API)."""
    context = lists.page_context(request, lists.spec_get("incidents"), page_size=PAGE_SIZE)
    context |= {
        "can_report": rules.can_report_incident(request.user),
        "deadline_hours": services.report_deadline_hours(),
    }
    return render(request, "supervision/incidents/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_report(request):
    if not rules.can_report_incident(request.user):
        raise PermissionDenied
    institutions = list(selectors.reporting_institutions(actor=request.user))
    form = IncidentReportForm(request.POST or None, institutions=selectors.reporting_institutions(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if incident.late:
                messages.warning(
                    request, _("The incident is reported, past the reporting deadline: it is marked late.")
                )
            else:
                messages.success(request, _("The incident is reported; the health bureau and the township are told."))
            return redirect("incident_detail", pk=incident.pk)
    context = {"form": form, "institutions": institutions, "deadline_hours": services.report_deadline_hours()}
    return render(request, "supervision/incidents/form.html", context)


@login_required
@require_GET
def incident_detail(request, pk: int):
    incident = selectors.incident_get(actor=request.user, pk=pk)
    context = {
        "incident": incident,
        "can_acknowledge": rules.can_handle_incident(request.user, incident)
        and incident.status == Incident.Status.REPORTED,
        "can_close": rules.can_handle_incident(request.user, incident),
        "can_propose": rules.can_propose_ban(request.user, incident),
        "proposals": [
            (proposal, rules.can_decide_ban_proposal(request.user, proposal))
            for proposal in selectors.incident_ban_proposals(actor=request.user, incident=incident)
        ],
        "deadline_hours": services.report_deadline_hours(),
    }
    return render(request, "supervision/incidents/detail.html", context)


@login_required
@require_POST
def incident_acknowledge(request, pk: int):
    incident = selectors.incident_get(actor=request.user, pk=pk)
    if not rules.can_handle_incident(request.user):
        raise PermissionDenied
    try:
        services.incident_acknowledge(actor=request.user, incident=incident)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The incident is acknowledged."))
    return redirect("incident_detail", pk=incident.pk)


@login_required
@require_POST
def incident_close(request, pk: int):
    incident = selectors.incident_get(actor=request.user, pk=pk)
    if not rules.can_handle_incident(request.user):
        raise PermissionDenied
    form = IncidentCloseForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("incident_detail", pk=incident.pk)
    try:
        services.incident_close(actor=request.user, incident=incident, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The incident is closed."))
    return redirect("incident_detail", pk=incident.pk)


@login_required
@require_POST
def incident_ban_propose(request, pk: int):
    incident = selectors.incident_get(actor=request.user, pk=pk)
    if not rules.can_propose_ban(request.user, incident):
        raise PermissionDenied
    form = BanProposeForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("incident_detail", pk=incident.pk)
    try:
        services.ban_propose(actor=request.user, incident=incident, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The person is proposed; a second keeper of the list must confirm."))
    return redirect("incident_detail", pk=incident.pk)


@login_required
@require_POST
def ban_proposal_decide(request, pk: int):
    proposal = selectors.ban_proposal_get(actor=request.user, pk=pk)
    if not policy.has_duty(request.user, rules.BAN_DUTY):
        raise PermissionDenied
    form = BanDecideForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("incident_detail", pk=proposal.incident_id)
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        services.ban_proposal_decide(
            actor=request.user, proposal=proposal, confirm=confirm, note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The person is on the lifetime ban list.") if confirm else _("The proposal is rejected.")
        )
    return redirect("incident_detail", pk=proposal.incident_id)


urlpatterns = [
    path("incidents/", incident_list, name="incident_list"),
    path("incidents/new/", incident_report, name="incident_report"),
    path("incidents/<int:pk>/", incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/acknowledge/", incident_acknowledge, name="incident_acknowledge"),
    path("incidents/<int:pk>/close/", incident_close, name="incident_close"),
    path("incidents/<int:pk>/ban-proposal/", incident_ban_propose, name="incident_ban_propose"),
    path("ban-proposals/<int:pk>/decide/", ban_proposal_decide, name="ban_proposal_decide"),
]
