"""Periodic report pages: the list (filters; bulk approval for the health bureau), a new
report, a report with its figures, versions and decision, and the actions its status allows.

Who sees a report is policy rule 28 (``selectors.report_list``/``report_get``: out of sight is
404). Who may act, asked before the input is judged (403): the reporter of the report's region
(``rules.reporting_region``: a township for its township, the health bureau for the city)
changes and submits drafts and returned reports and starts corrections of approved ones; only
``reports.approve`` approves and returns. A report in a state that does not allow the action is
refused with a message and nothing changes: a submitted report waits for its decision, an
approved one is locked and corrected by a new version, which counts only once approved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists, policy
from accounts.errors import ApplicationError
from dashboard import rules, selectors
from dashboard.forms.reports import BulkApproveForm, ReportForm, ReportReturnForm
from dashboard.models import PeriodicReport, ReportFigure
from dashboard.services import reports as services

PAGE_SIZE = 25


def _require_reader(actor) -> None:
    if not rules.may_read_reports(actor):
        raise PermissionDenied(rules.SUBMIT_DUTY)


def _require_reporter(actor, report: PeriodicReport) -> None:
    if not rules.is_reporter(actor, report):
        raise PermissionDenied(rules.SUBMIT_DUTY)


def _require_approver(actor) -> None:
    policy.require_duty(actor, rules.APPROVE_DUTY)


def _to_detail(pk: int):
    return redirect("report_detail", pk=pk)


def _locked_message(report: PeriodicReport) -> str:
    if report.status == PeriodicReport.Status.APPROVED:
        return _("This report is approved and locked: its figures are changed by a correction, a new version.")
    if report.status == PeriodicReport.Status.SUBMITTED:
        return _("This report is submitted and waits for the health bureau's decision; it cannot be changed now.")
    return _("This report has been replaced by a correction and is locked.")


# --- The list and bulk approval ------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    """The list (``dashboard.lists``: one filter set for the page, its export and the API), with
    the health bureau's bulk approval of the page's submitted reports."""
    actor = request.user
    _require_reader(actor)
    context = lists.page_context(request, lists.spec_get("reports"), page_size=PAGE_SIZE)
    may_approve = rules.may_approve(actor)
    context |= {
        "may_approve": may_approve,
        "can_create": rules.reporting_region(actor) is not None,
        "waiting": may_approve and any(report.status == PeriodicReport.Status.SUBMITTED for report in context["page"]),
    }
    return render(request, "dashboard/reports/list.html", context)


@login_required
@require_POST
def report_bulk_approve(request):
    """Approves each chosen report that waits for a decision; the others are named in a message
    with the reason. Ids out of sight are "not found", like ids that do not exist."""
    actor = request.user
    _require_approver(actor)
    form = BulkApproveForm(request.POST)
    # Back to the list as it was filtered (the query is parsed again, never echoed as given).
    back = QueryDict(request.POST.get("next", "").lstrip("?")).urlencode()
    target = f"?{back}" if back else ""
    if not form.is_valid():
        for error in form.errors.get("ids", []):
            messages.error(request, error)
        return redirect(reverse("report_list") + target)
    found, missing = selectors.reports_for_approval(actor=actor, ids=form.cleaned_data["ids"])
    approved, problems = services.reports_approve_many(actor=actor, reports=found)
    if approved:
        messages.success(
            request, ngettext("%(n)d report approved.", "%(n)d reports approved.", approved) % {"n": approved}
        )
    for problem in problems:
        messages.error(request, _("Not approved: %(problem)s") % {"problem": problem})
    if missing:
        messages.error(request, _("Not found: %(ids)s") % {"ids": ", ".join(f"#{pk}" for pk in missing)})
    return redirect(reverse("report_list") + target)


# --- A new report, a change, a correction --------------------------------------------------


def _save_and_maybe_submit(request, report: PeriodicReport, saved_message: str):
    """After a save: submit at once when the "save and submit" button was used."""
    if "submit" in request.POST:
        try:
            services.report_submit(actor=request.user, report=report)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Report saved and submitted to the health bureau for approval."))
            return _to_detail(report.pk)
    messages.success(request, saved_message)
    return _to_detail(report.pk)


def _form_page(request, form, *, mode: str, region, report: PeriodicReport | None = None, status: int = 200):
    context = {"form": form, "mode": mode, "region": region, "report": report}
    return render(request, "dashboard/reports/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request):
    actor = request.user
    place = rules.reporting_region(actor)
    if place is None:
        raise PermissionDenied(rules.SUBMIT_DUTY)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_save(
                    actor=actor,
                    year=form.cleaned_data["year"],
                    figures=form.figures(),
                    source=form.cleaned_data["source"],
                )
            except ApplicationError as error:
                form.show_refusal(error)
            else:
                return _save_and_maybe_submit(request, report, _("Report saved as a draft."))
    else:
        form = ReportForm()
    return _form_page(request, form, mode="create", region=place[1])


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    _require_reporter(actor, report)
    if report.status not in rules.EDITABLE:
        messages.error(request, _locked_message(report))
        return _to_detail(report.pk)
    initial = ReportForm.initial_from(report)
    if request.method == "POST":
        form = ReportForm(request.POST, initial=initial, fixed_year=report.year)
        if form.is_valid():
            try:
                report = services.report_save(
                    actor=actor,
                    year=report.year,
                    figures=form.figures(),
                    source=form.cleaned_data["source"],
                    report=report,
                )
            except ApplicationError as error:
                form.show_refusal(error)
            else:
                return _save_and_maybe_submit(request, report, _("Changes saved."))
    else:
        form = ReportForm(initial=initial, fixed_year=report.year)
    return _form_page(request, form, mode="edit", region=report.region, report=report)


@login_required
@require_http_methods(["GET", "POST"])
def report_correct(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    _require_reporter(actor, report)
    if report.status != PeriodicReport.Status.APPROVED:
        messages.error(request, _("Only an approved report is corrected by a new version; change the draft instead."))
        return _to_detail(report.pk)
    correction = getattr(report, "correction", None)
    if correction is not None:
        messages.info(request, _("A correction of this report is already under way: version %(v)d.") % {
            "v": correction.version
        })  # fmt: skip
        return _to_detail(correction.pk)
    initial = ReportForm.initial_from(report)
    if request.method == "POST":
        form = ReportForm(request.POST, initial=initial, fixed_year=report.year)
        if form.is_valid():
            try:
                correction = services.report_correct(
                    actor=actor, report=report, figures=form.figures(), source=form.cleaned_data["source"]
                )
            except ApplicationError as error:
                form.show_refusal(error)
            else:
                saved = _(
                    "Correction saved as version %(v)d, a draft. The approved version counts until the correction "
                    "is approved."
                ) % {"v": correction.version}
                return _save_and_maybe_submit(request, correction, saved)
    else:
        form = ReportForm(initial=initial, fixed_year=report.year)
    return _form_page(request, form, mode="correct", region=report.region, report=report)


# --- A report's page and its decisions -----------------------------------------------------


def figure_rows(report: PeriodicReport) -> list[tuple[str, str, int | None]]:
    """(code, label, value) for every figure a report may carry, in the enum's order."""
    figures = report.figures or {}
    return [(figure.value, figure.label, figures.get(figure.value)) for figure in ReportFigure]


@login_required
@require_GET
def report_detail(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    versions = selectors.report_versions(actor=actor, report=report)
    correction = next((v for v in versions if v.corrects_id == report.pk), None)
    status = report.status
    context = {
        "report": report,
        "figures": figure_rows(report),
        "versions": versions,
        "correction": correction,
        "can_edit": rules.may_change_report(actor, report),
        "can_submit": rules.may_change_report(actor, report),
        "can_decide": rules.may_decide_report(actor, report),
        "can_correct": rules.may_correct_report(actor, report, corrected=correction is not None),
        "is_locked": status in (PeriodicReport.Status.APPROVED, PeriodicReport.Status.SUPERSEDED),
        "return_form": ReportReturnForm(),
    }
    return render(request, "dashboard/reports/detail.html", context)


@login_required
@require_POST
def report_submit(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    _require_reporter(actor, report)
    if report.status not in rules.EDITABLE:
        messages.error(request, _locked_message(report))
        return _to_detail(report.pk)
    try:
        services.report_submit(actor=actor, report=report)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report submitted to the health bureau for approval."))
    return _to_detail(report.pk)


@login_required
@require_POST
def report_approve(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    _require_approver(actor)
    try:
        report = services.report_approve(actor=actor, report=report)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report approved: its figures count from the next dashboard refresh."))
    return _to_detail(report.pk)


@login_required
@require_POST
def report_return(request, pk: int):
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    _require_approver(actor)
    form = ReportReturnForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return _to_detail(report.pk)
    try:
        services.report_return(actor=actor, report=report, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report returned with the reason."))
    return _to_detail(report.pk)


urlpatterns = [
    path("reports/", report_list, name="report_list"),
    path("reports/approve/", report_bulk_approve, name="report_bulk_approve"),
    path("reports/new/", report_create, name="report_create"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", report_return, name="report_return"),
    path("reports/<int:pk>/correct/", report_correct, name="report_correct"),
]
