"""The annual-review pages: cycles, the review queue with its Excel export, one review with
the institution's self-report, the findings the viewer may see and the health bureau's
decision.

Each page parses the request, calls one selector or service and renders. Who may act is asked
of the policy before the input is judged (someone without the right gets 403, not a form
error); the services still check every action themselves. Bad input or a refusal by a service
is shown with its message, changes nothing, and keeps what the user typed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists, policy
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from inspections import rules, selectors
from inspections.exports import reviews as exports_reviews
from inspections.forms.reviews import (
    CYCLE_STATUS_LABELS,
    REPORT_STATUS_LABELS,
    REVIEW_STATUS_LABELS,
    AreaExemptForm,
    CycleCloseForm,
    CycleOpenForm,
    ReviewDecideForm,
    SelfReportForms,
    SelfReportReturnForm,
    self_report_readable,
)
from inspections.models import AnnualReview, Area, SelfReport
from inspections.services import cycles as cycle_services
from inspections.services import decisions as decision_services
from inspections.services import findings as finding_services
from inspections.services import reminders as reminder_services
from inspections.services import severity
from inspections.services.findings import area_applies
from inspections.views.bulk import owned_areas
from paperwork import bulk

PAGE_SIZE = 25
LEAD_DUTY = "review.lead"
DECIDE_DUTY = "review.decide"
SELF_DUTY = "institution.self"
STATUS_LABELS = {"cycle": CYCLE_STATUS_LABELS, "review": REVIEW_STATUS_LABELS, "report": REPORT_STATUS_LABELS}


def _form_messages(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _add_service_error(form, error: ApplicationError) -> None:
    form.add_error(None, error.message)
    for name, field_errors in error.fields.items():
        if name in form.fields:
            form.add_error(name, field_errors)


# --- Cycles -----------------------------------------------------------------------------


def _cycle_page(request, *, open_form=None, close_forms=None, status=200):
    cycles = selectors.cycle_list(actor=request.user)
    is_lead = policy.has_duty(request.user, LEAD_DUTY)
    if is_lead and open_form is None:
        years = [cycle.year for cycle in cycles]
        this_year = timezone.localdate().year
        open_form = CycleOpenForm(initial={"year": this_year if this_year not in years else max(years) + 1})
    close_forms = close_forms or {}
    rows = [(cycle, close_forms.get(cycle.pk) or CycleCloseForm(auto_id=f"close-{cycle.pk}-%s")) for cycle in cycles]
    context = {"rows": rows, "is_lead": is_lead, "open_form": open_form if is_lead else None}
    return render(request, "inspections/reviews/cycle_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_list(request):
    """GET: every member sees the cycles. POST (``cycle_open``): the health bureau opens one."""
    if request.method == "POST":
        return cycle_open(request)
    return _cycle_page(request)


def cycle_open(request):
    policy.require_duty(request.user, LEAD_DUTY)
    form = CycleOpenForm(request.POST)
    if not form.is_valid():
        return _cycle_page(request, open_form=form, status=400)
    try:
        cycle = cycle_services.cycle_open(actor=request.user, **form.cleaned_data)
    except ApplicationError as error:
        _add_service_error(form, error)
        return _cycle_page(request, open_form=form, status=400)
    count = selectors.review_list(actor=request.user, year=cycle.year).count()
    messages.success(
        request,
        _("Annual review %(year)s opened: %(n)d institutions were asked for their self-report.")
        % {"year": cycle.year, "n": count},
    )
    return redirect("cycle_list")


@login_required
@require_POST
def cycle_close(request, pk: int):
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, LEAD_DUTY)
    form = CycleCloseForm(request.POST, auto_id=f"close-{cycle.pk}-%s")
    if form.is_valid():
        try:
            cycle_services.cycle_close(actor=request.user, cycle=cycle, note=form.cleaned_data["note"])
        except ApplicationError as error:
            messages.error(request, error.message)  # shown even when the cycle's form is not
        else:
            messages.success(request, _("Annual review %(year)s closed.") % {"year": cycle.year})
            return redirect("cycle_list")
    else:
        _form_messages(request, form)
    return _cycle_page(request, close_forms={cycle.pk: form}, status=400)


# --- The review queue -------------------------------------------------------------------


@login_required
@require_GET
def review_list(request):
    """The review queue (``inspections.lists``: the same filter set as its export and the API)."""
    context = lists.page_context(request, lists.spec_get("reviews"), page_size=PAGE_SIZE)
    context |= {
        "today": timezone.localdate(),
        "area_labels": dict(Area.choices),
        "status_labels": STATUS_LABELS,
        **_bulk_context(request.user, context["page"]),
    }
    return render(request, "inspections/reviews/review_list.html", context)


def _bulk_context(user, page) -> dict:
    """The queue's bulk actions (``inspections.views.bulk``): which rows of the page may be
    chosen, and for what. The services check every chosen row again."""
    areas = owned_areas(user)
    may_remind = rules.self_report_reminder_sender(user) is not None
    choosable = set()
    for review in page:
        report = getattr(review, "self_report", None)
        if areas and review.status == AnnualReview.Status.INSPECTING and not review.result:
            choosable.add(review.pk)
        if may_remind and report is not None and report.status in reminder_services.OPEN_REPORT:
            choosable.add(review.pk)
    return {
        "bulk": bool(choosable),
        "bulk_choosable": choosable,
        "bulk_areas": areas,
        "bulk_remind": may_remind,
        "bulk_max": bulk.BATCH_MAX,
        "bulk_today": timezone.localdate().isoformat(),
    }


@login_required
@require_GET
def review_export(request):
    """The list's Excel file at once, whatever its size (the page's export button goes through
    ``accounts.lists.export``: in the background above a page). The same filter set."""
    filterset = lists.filtered(lists.spec_get("reviews"), actor=request.user, data=request.GET)
    if not filterset.is_valid():
        messages.error(request, _("The export was not made: please correct the filters."))
        for line in filterset.error_lines():
            messages.error(request, line)
        return HttpResponseRedirect(f"{reverse('review_list')}?{request.GET.urlencode()}")
    return exports_reviews.reviews_xlsx(filterset.qs)


# --- One review -------------------------------------------------------------------------


def _record_areas(user, review: AnnualReview) -> list[tuple[str, str]]:
    """The areas the viewer's department checks on this review while it is undecided."""
    if review.result:
        return []
    return [
        (area, label)
        for area, label in Area.choices
        if policy.has_duty(user, Area.duty(area)) and area_applies(area, review.institution)
    ]


def _report_of(review: AnnualReview) -> SelfReport | None:
    try:
        return review.self_report
    except SelfReport.DoesNotExist:
        return None


def _detail(request, review: AnnualReview, *, report_forms=None, return_form=None, decide_form=None, status=200):
    user = request.user
    report = _report_of(review)
    findings = selectors.review_findings(actor=user, review=review)
    failed_items = selectors.failed_checklist_items(findings)
    today = timezone.localdate()
    can_edit = rules.can_edit_self_report(user, review, report)
    can_return = rules.can_return_self_report(user, review, report)
    can_decide = rules.can_decide_review(user, review)
    if can_edit and report_forms is None:
        report_forms = SelfReportForms(report.data)
    if can_decide and decide_form is None:
        decide_form = ReviewDecideForm(failed_items=failed_items, verdict=severity.review_verdict(review))
    areas = selectors.review_areas(actor=user, review=review, findings=findings)
    for row in areas:
        row["missing"] = not row["recorded"] and row["exemption"] is None
        row["can_exempt"] = row["missing"] and rules.can_exempt_area(user, review, row["area"])
    context = {
        "review": review,
        "institution": review.institution,
        "cycle": review.cycle,
        "report": report,
        "report_sections": self_report_readable(report.data) if report is not None else [],
        "report_overdue": report is not None
        and report.status != SelfReport.Status.SUBMITTED
        and today > review.cycle.self_report_due,
        "findings": findings,
        "areas": areas,
        "missing_areas": pgettext("list separator", ", ").join(str(row["label"]) for row in areas if row["missing"]),
        "area_labels": dict(Area.choices),
        "status_labels": STATUS_LABELS,
        "record_areas": _record_areas(user, review),
        "orders": selectors.review_orders(actor=user, review=review),
        "can_edit": can_edit,
        "report_forms": report_forms if can_edit else None,
        "can_return": can_return,
        "return_form": (return_form or SelfReportReturnForm()) if can_return else None,
        "can_decide": can_decide,
        "decide_form": decide_form if can_decide else None,
        "today": today,
        # Panels of the apps that build on the review (daily supervision: the objections).
        "panels": [
            html for html in call_app_hooks("review_panel", actor=user, review=review, request=request).values() if html
        ],  # fmt: skip
    }
    return render(request, "inspections/reviews/review_detail.html", context, status=status)


def _to_detail(review: AnnualReview):
    return redirect("review_detail", pk=review.pk)


@login_required
@require_GET
def review_detail(request, pk: int):
    return _detail(request, selectors.review_get(actor=request.user, pk=pk))


def _own_report(request, pk: int) -> tuple[AnnualReview, SelfReport]:
    """The review (404 out of sight) and its report; 403 unless the user keeps the institution's
    record."""
    review = selectors.review_get(actor=request.user, pk=pk)
    policy.require_acts_for(request.user, review.institution.organisation, SELF_DUTY)
    report = _report_of(review)
    if report is None:
        raise PermissionDenied(SELF_DUTY)
    return review, report


@login_required
@require_POST
def self_report_save(request, pk: int):
    review, report = _own_report(request, pk)
    forms = SelfReportForms(report.data, request.POST)
    if not forms.is_valid():
        messages.error(request, _("The self-report was not saved: please correct the errors below."))
        for error in forms.errors():
            messages.error(request, error)
        return _detail(request, review, report_forms=forms, status=400)
    try:
        cycle_services.self_report_save(actor=request.user, report=report, data=forms.data())
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, review, report_forms=forms, status=400)
    messages.success(request, _("Self-report saved as a draft. Submit it when it is complete."))
    return _to_detail(review)


@login_required
@require_POST
def self_report_submit(request, pk: int):
    """Submits the report as the form shows it (the sections posted are saved first)."""
    review, report = _own_report(request, pk)
    forms = SelfReportForms(report.data, request.POST)
    if not forms.is_valid():
        messages.error(request, _("The self-report was not submitted: please correct the errors below."))
        for error in forms.errors():
            messages.error(request, error)
        return _detail(request, review, report_forms=forms, status=400)
    try:
        report = cycle_services.self_report_submit(actor=request.user, report=report, data=forms.data())
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, review, report_forms=forms, status=400)
    if report.late:
        messages.warning(
            request,
            _("Self-report submitted after the due date (%(due)s); it is marked late.")
            % {"due": review.cycle.self_report_due},
        )
    else:
        messages.success(request, _("Self-report submitted. The departments will now inspect."))
    return _to_detail(review)


@login_required
@require_POST
def self_report_return(request, pk: int):
    review = selectors.review_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, LEAD_DUTY)
    report = _report_of(review)
    if report is None:
        raise PermissionDenied(LEAD_DUTY)
    form = SelfReportReturnForm(request.POST)
    if form.is_valid():
        try:
            cycle_services.self_report_return(actor=request.user, report=report, comment=form.cleaned_data["comment"])
        except ApplicationError as error:
            messages.error(request, error.message)
            _add_service_error(form, error)
        else:
            messages.success(request, _("Self-report returned to the institution with your comments."))
            return _to_detail(review)
    else:
        _form_messages(request, form)
    return _detail(request, review, return_form=form, status=400)


@login_required
@require_POST
def review_decide(request, pk: int):
    review = selectors.review_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, DECIDE_DUTY)
    findings = selectors.review_findings(actor=request.user, review=review)
    form = ReviewDecideForm(
        request.POST, failed_items=selectors.failed_checklist_items(findings), verdict=severity.review_verdict(review)
    )
    if form.is_valid():
        fail = form.cleaned_data["result"] == AnnualReview.Result.FAIL
        try:
            review = decision_services.review_decide(
                actor=request.user,
                review=review,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
                items=form.items() if fail else None,
                deadline=form.cleaned_data["deadline"] if fail else None,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            _add_service_error(form, error)
        else:
            if fail and review.final_result == AnnualReview.Result.FAIL:
                message = _("Review decided: failed, and the year counts as failed. A rectification order was issued.")
                messages.success(request, message)
            elif fail:
                messages.success(request, _("Review decided: failed. A rectification order was issued."))
            else:
                messages.success(request, _("Review decided: passed."))
            return _to_detail(review)
    else:
        messages.error(request, _("The decision was not recorded: please correct the errors below."))
    review = selectors.review_get(actor=request.user, pk=pk)  # as it is now, if someone else decided
    return _detail(request, review, decide_form=form, status=400)


@login_required
@require_POST
def review_area_exempt(request, pk: int):
    """The area's department or the health bureau records an area as not applicable."""
    review = selectors.review_get(actor=request.user, pk=pk)
    form = AreaExemptForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return _to_detail(review)
    area = form.cleaned_data["area"]
    if not (policy.has_duty(request.user, Area.duty(area)) or policy.has_duty(request.user, LEAD_DUTY)):
        raise PermissionDenied(Area.duty(area))
    try:
        finding_services.area_exempt(actor=request.user, review=review, area=area, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(area)s recorded as not applicable.") % {"area": Area(area).label})
    return _to_detail(review)


urlpatterns = [
    path("cycles/", cycle_list, name="cycle_list"),
    # The same address: a POST opens a cycle (``cycle_list`` dispatches to ``cycle_open``).
    path("cycles/", cycle_list, name="cycle_open"),
    path("cycles/<int:pk>/close/", cycle_close, name="cycle_close"),
    path("reviews/", review_list, name="review_list"),
    path("reviews/export/", review_export, name="review_export"),
    path("reviews/<int:pk>/", review_detail, name="review_detail"),
    path("reviews/<int:pk>/self-report/", self_report_save, name="self_report_save"),
    path("reviews/<int:pk>/self-report/submit/", self_report_submit, name="self_report_submit"),
    path("reviews/<int:pk>/self-report/return/", self_report_return, name="self_report_return"),
    path("reviews/<int:pk>/decide/", review_decide, name="review_decide"),
    path("reviews/<int:pk>/not-applicable/", review_area_exempt, name="review_area_exempt"),
]
