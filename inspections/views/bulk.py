"""Bulk actions on the annual-review queue (``paperwork.bulk``: all or nothing, each review
checked and audited on its own): a department records its area as passed for the chosen
reviews of one cycle; the health bureau, or a township for its territory, reminds the chosen
institutions of their self-report.

The rows are chosen on the review list (``review_list``: checkboxes and an action bar, wired by
``static/js/bulk.js``); both actions return to the list as it was filtered. Who may act is asked
before the input is judged (403); a refusal names each review that stopped the batch and why.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from inspections import rules
from inspections.forms.reviews import ReviewBulkPassForm, ReviewBulkRemindForm
from inspections.models import Area
from inspections.services import findings as finding_services
from inspections.services import reminders as reminder_services


def _back(request):
    """Back to the list as it was filtered (the query is parsed again, never echoed as given)."""
    query = QueryDict(request.POST.get("next", "").lstrip("?")).urlencode()
    return redirect(reverse("review_list") + (f"?{query}" if query else ""))


def _refused(request, form=None, error: ApplicationError | None = None) -> None:
    if form is not None:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields and name != "ids" else ""
            for text in errors:
                messages.error(request, f"{label}: {text}" if label else text)
    if error is not None:
        messages.error(request, error.message)
        for problem in error.fields.get("items", []):
            messages.error(request, problem)


def owned_areas(actor) -> list[tuple[str, str]]:
    """The areas whose findings the actor's department records, in the order of ``Area``."""
    owned = rules.checklist_areas_owned(actor)
    return [(area, label) for area, label in Area.choices if area in owned]


@login_required
@require_POST
def review_bulk_pass(request):
    areas = owned_areas(request.user)
    if not areas:
        raise PermissionDenied("check.*")
    form = ReviewBulkPassForm(request.POST, areas=areas)
    if not form.is_valid():
        _refused(request, form=form)
        return _back(request)
    data = form.cleaned_data
    try:
        findings = finding_services.findings_record_passed_many(
            actor=request.user, area=data["area"], review_ids=data["ids"], inspected_on=data["inspected_on"],
            notes=data["notes"],
        )  # fmt: skip
    except ApplicationError as error:
        _refused(request, error=error)
    else:
        n = len(findings)
        messages.success(
            request,
            ngettext(
                "%(area)s recorded as passed for %(n)d review.", "%(area)s recorded as passed for %(n)d reviews.", n
            )
            % {"area": Area(data["area"]).label, "n": n},
        )
    return _back(request)


@login_required
@require_POST
def review_bulk_remind(request):
    if rules.self_report_reminder_sender(request.user) is None:
        raise PermissionDenied(rules.LEAD_DUTY)
    form = ReviewBulkRemindForm(request.POST)
    if not form.is_valid():
        _refused(request, form=form)
        return _back(request)
    try:
        reviews = reminder_services.self_reports_remind_many(actor=request.user, review_ids=form.cleaned_data["ids"])
    except ApplicationError as error:
        _refused(request, error=error)
    else:
        n = len(reviews)
        messages.success(
            request,
            ngettext(
                "%(n)d institution reminded of its self-report.", "%(n)d institutions reminded of their self-report.", n
            )
            % {"n": n},
        )
    return _back(request)


urlpatterns = [
    path("reviews/bulk/pass/", review_bulk_pass, name="review_bulk_pass"),
    path("reviews/bulk/remind/", review_bulk_remind, name="review_bulk_remind"),
]
