"""Checklists, departmental findings, supervision visits and inspection photos.

Each page parses the request, calls one selector or service and renders. The object comes
first through a scoped selector (out of sight: 404), then the right to act (in sight but not
one's own area or department: 403), then the input (a form error or the service's refusal,
shown in its own words; nothing changes). The services check every action again.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, lists, policy
from accounts.errors import ApplicationError
from inspections import rules, selectors
from inspections.forms.findings import (
    ChecklistCopyForm,
    ChecklistFilterForm,
    ChecklistForm,
    ChecklistItemFormSet,
    FindingRecordForm,
    FindingTargetForm,
    PhotoUploadForm,
    SupervisionVisitForm,
    area_label,
)
from inspections.models import Area
from inspections.services import checklists as checklist_services
from inspections.services import findings as services
from inspections.services import severity
from paperwork import files

CHECKLIST_PAGE_SIZE = 10
TEMPLATES = "inspections/findings"


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _add_errors(form, error: ApplicationError) -> None:
    form.add_error(None, error.message)
    for name, field_errors in error.fields.items():
        if name in form.fields:
            form.add_error(name, field_errors)


# --- Checklists ---------------------------------------------------------------------------


@login_required
@require_GET
def checklist_list(request):
    form = ChecklistFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    checklists = selectors.checklist_list(actor=request.user, area=filters.get("area", ""), year=filters.get("year"))
    if form.is_bound and not form.is_valid():
        checklists = checklists.none()  # an invalid filter lists nothing rather than everything
    context = {
        "form": form,
        "page": Paginator(checklists, CHECKLIST_PAGE_SIZE).get_page(request.GET.get("page")),
        "years": selectors.checklist_years(actor=request.user),
        "areas": Area.choices,
        "owned": rules.checklist_areas_owned(request.user),
        # How the severities weigh on a decision, with the bureau's parameter (``services.severity``).
        "severity_rule": severity.rule_lines(severity.major_failures_limit()),
        "severity_parameter": format_html("<code>{}</code>", severity.MAJOR_FAILURES_PARAMETER),
    }
    return render(request, f"{TEMPLATES}/checklist_list.html", context)


def _require_owner(request, template) -> None:
    if not rules.can_edit_checklist(request.user, template):
        raise PermissionDenied(Area.duty(template.area))


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk: int):
    template = selectors.checklist_get(actor=request.user, pk=pk)
    _require_owner(request, template)
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        formset = ChecklistItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            items, remove = formset.changes()
            try:
                checklist_services.checklist_save(
                    actor=request.user, template=template, title=form.cleaned_data["title"], items=items, remove=remove
                )
            except ApplicationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The checklist was saved."))
                return redirect("checklist_edit", pk=template.pk)
    else:
        form = ChecklistForm(initial={"title": template.title})
        initial = [
            {"id": item.pk, "code": item.code, "text": item.text, "severity": item.severity, "order": item.order}
            for item in template.items.all()
        ]
        formset = ChecklistItemFormSet(prefix="items", initial=initial)
    in_use = selectors.checklist_items_in_use(actor=request.user, template=template)
    rows = []
    for row in formset.forms:
        try:
            item_id = int(row["id"].value() or 0)
        except (TypeError, ValueError):
            item_id = 0
        rows.append({"form": row, "existing": bool(item_id), "in_use": item_id in in_use})
    context = {
        "template": template,
        "area_label": area_label(template.area),
        "form": form,
        "formset": formset,
        "rows": rows,
        "copy_form": ChecklistCopyForm(initial={"year": template.year + 1}),
    }
    return render(request, f"{TEMPLATES}/checklist_edit.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def checklist_copy(request, pk: int):
    template = selectors.checklist_get(actor=request.user, pk=pk)
    _require_owner(request, template)
    form = ChecklistCopyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("checklist_edit", pk=template.pk)
    try:
        copy = checklist_services.checklist_copy(actor=request.user, template=template, year=form.cleaned_data["year"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("checklist_edit", pk=template.pk)
    messages.success(
        request, _("The checklist was copied to %(year)d: review and adjust it here.") % {"year": copy.year}
    )
    return redirect("checklist_edit", pk=copy.pk)


# --- Findings -----------------------------------------------------------------------------


@login_required
@require_GET
def finding_list(request):
    context = lists.page_context(request, lists.spec_get("findings"))
    for finding in context["page"]:
        finding.area_label = area_label(finding.area)
    owned = [(area, label) for area, label in Area.choices if area in rules.checklist_areas_owned(request.user)]
    context |= {
        "can_visit": rules.can_record_visits(request.user),
        # An inspecting department starts an ad-hoc inspection from here.
        "adhoc_areas": owned,
        # Whether there is one to visit: the institution is searched as one types (no list).
        "adhoc_possible": bool(owned) and selectors.finding_adhoc_institutions(actor=request.user).exists(),
    }
    return render(request, f"{TEMPLATES}/finding_list.html", context)


def _target_params(request):
    """What the form is about: the query string, overridden by the posted hidden fields."""
    params = request.GET.copy()
    if request.method == "POST":
        for key in ("review", "institution", "area"):
            if key in request.POST:
                params[key] = request.POST[key]
    return params


def _posted_year(request) -> int:
    """The year of the date being posted (an ad-hoc inspection uses that year's checklist),
    else this year."""
    try:
        value = forms.DateField().clean(request.POST.get("inspected_on", ""))
    except ValidationError:
        value = None
    return (value or timezone.localdate()).year


@login_required
@require_http_methods(["GET", "POST"])
def finding_record(request):
    """The form of one department's checks of one area: for an annual review
    (``?review=<pk>&area=<area>``) or an ad-hoc inspection (``?institution=<pk>&area=<area>``)."""
    posted = request.method == "POST"
    target = FindingTargetForm(_target_params(request))
    if not target.is_valid():
        errors = [error for field_errors in target.errors.values() for error in field_errors]
        return render(request, f"{TEMPLATES}/finding_record.html", {"target_errors": errors}, status=400)
    area, review = target.cleaned_data["area"], None
    if target.cleaned_data["review"]:
        review = selectors.review_get(actor=request.user, pk=target.cleaned_data["review"])
        institution = review.institution
    else:
        institution = selectors.finding_institution_get(actor=request.user, pk=target.cleaned_data["institution"])
    context = {"area": area, "area_label": area_label(area), "review": review, "institution": institution}
    try:
        services.finding_record_check(actor=request.user, institution=institution, area=area, review=review)
        if review is not None:
            year = review.cycle.year
        else:
            year = _posted_year(request) if posted else timezone.localdate().year
        checklist = selectors.checklist_for(actor=request.user, area=area, year=year)
        if checklist is None:
            raise ApplicationError(_("No checklist exists for this area yet."))
    except ApplicationError as error:
        context["refusal"] = error.message
        return render(request, f"{TEMPLATES}/finding_record.html", context, status=400 if posted else 200)
    items = list(checklist.items.all())
    current = selectors.finding_current(actor=request.user, review=review, area=area) if review else None
    if posted:
        form = FindingRecordForm(request.POST, items=items)
        if form.is_valid():
            try:
                finding = services.finding_record(
                    actor=request.user,
                    institution=institution,
                    area=area,
                    inspected_on=form.cleaned_data["inspected_on"],
                    results=form.results(),
                    notes=form.cleaned_data["notes"].strip(),
                    review=review,
                )
            except ApplicationError as error:
                _add_errors(form, error)
            else:
                message = _("Finding recorded: passed.") if finding.passed else _("Finding recorded: failed.")
                messages.success(request, message)
                return redirect("finding_detail", pk=finding.pk)
    else:
        initial = {}
        if current is not None:  # recording again starts from what was recorded
            initial["notes"] = current.notes
            for result in current.items.all():
                initial[f"result_{result.item.code}"] = result.result
                initial[f"note_{result.item.code}"] = result.note
        form = FindingRecordForm(initial=initial, items=items)
    context.update({"form": form, "checklist": checklist, "current": current})
    return render(request, f"{TEMPLATES}/finding_record.html", context, status=400 if posted else 200)


@login_required
@require_GET
def finding_detail(request, pk: int):
    finding = selectors.finding_get(actor=request.user, pk=pk)
    context = {
        "finding": finding,
        "area_label": area_label(finding.area),
        "can_add_photos": rules.can_add_photos(request.user, finding),
        "upload_form": PhotoUploadForm(),
        "photos_max": services.PHOTOS_MAX,
    }
    return render(request, f"{TEMPLATES}/finding_detail.html", context)


@login_required
@require_POST
def finding_photo_upload(request, pk: int):
    finding = selectors.finding_get(actor=request.user, pk=pk)
    if not rules.can_add_photos(request.user, finding):
        raise PermissionDenied(rules.finding_duty(finding.area))
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("finding_detail", pk=finding.pk)
    try:
        photo = services.finding_photo_add(actor=request.user, finding=finding, uploaded=form.cleaned_data["file"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s added.") % {"name": photo.stored.original_name})
    return redirect("finding_detail", pk=finding.pk)


@login_required
@require_GET
def inspection_file_download(request, pk: int):
    """Files live outside the web root and leave only here, after the policy: photos inline
    (for the thumbnails), anything else as a download; never sniffed, never cached."""
    inspection_file = selectors.inspection_file_get(actor=request.user, pk=pk)
    stored = inspection_file.stored
    response = files.response(stored, inline=stored.content_type in services.PHOTO_TYPES)
    audit.file_opened(request, model="inspections.inspectionfile", pk=inspection_file.pk)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Supervision visits -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def supervision_visit_create(request):
    """A township official records a local supervision visit to an institution in the
    township (``?institution=<pk>`` chooses it; otherwise the form offers the territory)."""
    posted = request.method == "POST"
    raw = _target_params(request).get("institution", "")
    institution = None
    if raw:
        if not raw.isdigit():
            raise Http404
        institution = selectors.finding_institution_get(actor=request.user, pk=int(raw))
    policy.require_duty(request.user, rules.SUPERVISION_DUTY)
    institutions = selectors.supervision_institutions(actor=request.user)
    if posted:
        form = SupervisionVisitForm(request.POST, institutions=institutions)
        if form.is_valid():
            try:
                visit = services.supervision_visit_record(
                    actor=request.user,
                    institution=form.cleaned_data["institution"],
                    visited_on=form.cleaned_data["visited_on"],
                    notes=form.cleaned_data["notes"].strip(),
                )
            except ApplicationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Supervision visit recorded."))
                return redirect("finding_detail", pk=visit.pk)
    else:
        initial = {"institution": institution.pk if institution is not None else None}
        form = SupervisionVisitForm(initial=initial, institutions=institutions)
    context = {"form": form, "institution": institution}
    return render(request, f"{TEMPLATES}/visit_form.html", context, status=400 if posted else 200)


urlpatterns = [
    path("checklists/", checklist_list, name="checklist_list"),
    path("checklists/<int:pk>/", checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/copy/", checklist_copy, name="checklist_copy"),
    path("findings/", finding_list, name="finding_list"),
    path("findings/new/", finding_record, name="finding_record"),
    path("findings/<int:pk>/", finding_detail, name="finding_detail"),
    path("findings/<int:pk>/photos/", finding_photo_upload, name="finding_photo_upload"),
    path("files/<int:pk>/", inspection_file_download, name="inspection_file_download"),
    path("visits/new/", supervision_visit_create, name="supervision_visit_create"),
]
