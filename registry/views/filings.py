"""The filing (备案) pages: the review queue, a filing with its documents and the decisions on
it, attachment downloads and the printable receipt.

Each page parses the request, calls one selector or service and renders. Who may act is asked
of the policy before the input is judged (so that someone without the right gets 403, not a
form error); the services still check every action themselves. A refusal by a service is shown
as its message and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import lists, policy
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from paperwork import files
from registry import parameters, rules, selectors, standards
from registry.forms.filings import (
    GENERAL,
    AttachmentUploadForm,
    ChangeWithdrawForm,
    FilingAcceptForm,
    FilingEditForm,
    FilingLedgerForm,
    FilingRejectForm,
    FilingReturnForm,
    FilingStartForm,
)
from registry.models import Filing, FilingAttachment
from registry.services import changes as change_services
from registry.services import filings as services

PAGE_SIZE = 25
REVIEW_DUTY = "filing.review"
WRITER_DUTY = "institution.self"


def _item_label(key: str) -> str:
    if key == GENERAL:
        return _("General")
    return str(FilingAttachment.Kind(key).label) if key in FilingAttachment.Kind.values else key


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _to_detail(filing_pk: int):
    return redirect("filing_detail", pk=filing_pk)


def _require_writer(request, filing: Filing) -> None:
    policy.require_acts_for(request.user, filing.institution.organisation, WRITER_DUTY)


# --- The list ---------------------------------------------------------------------------


@login_required
@require_GET
def filing_list(request):
    context = lists.page_context(request, lists.spec_get("filings"))
    institution, start_kinds = None, []
    if policy.has_duty(request.user, WRITER_DUTY):
        institution = selectors.institution_for_member(actor=request.user)
        if institution is not None and selectors.filing_open_for(actor=request.user, institution=institution) is None:
            start_kinds = [(kind, Filing.Kind(kind).label) for kind in services.startable_kinds(institution)]
    context |= {
        "is_reviewer": policy.holds(request.user, REVIEW_DUTY),
        "institution": institution,
        "start_kinds": start_kinds,
    }
    return render(request, "registry/filings/list.html", context)


@login_required
@require_POST
def filing_start(request):
    institution = selectors.institution_for_member(actor=request.user)
    if institution is None:
        raise PermissionDenied(WRITER_DUTY)
    policy.require_acts_for(request.user, institution.organisation, WRITER_DUTY)
    form = FilingStartForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("filing_list")
    try:
        filing = services.filing_start(actor=request.user, institution=institution, kind=form.cleaned_data["kind"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("filing_list")
    messages.success(request, _("Filing started. Add the documents, sign the commitment and submit it."))
    return _to_detail(filing.pk)


# --- One filing -------------------------------------------------------------------------


def _detail_context(request, filing: Filing) -> dict:
    attachments = list(filing.attachments.all())
    required = services.required_attachments(filing)
    reasons = filing.return_reasons or {}
    unchanged = set(services.unchanged_returned_documents(filing, attachments))
    checklist = [
        {
            "kind": kind,
            "label": _item_label(kind),
            "attachments": [a for a in attachments if a.kind == kind],
            "reason": reasons.get(kind, ""),
            "unchanged": kind in unchanged,
        }
        for kind in required
    ]
    others = [a for a in attachments if a.kind not in required]
    reason_items = [{"key": key, "label": _item_label(key), "text": text} for key, text in reasons.items()]
    can_write = rules.can_write_filing(request.user, filing)
    can_decide = rules.can_decide_filing(request.user, filing)
    return_fields = []
    if can_decide:
        kinds = list(dict.fromkeys([*required, *(a.kind for a in others)]))
        return_fields = [(f"reason_{kind}", _item_label(kind)) for kind in kinds] + [
            (f"reason_{GENERAL}", _item_label(GENERAL))
        ]
    groups = selectors.filing_class_groups(actor=request.user, filing=filing)
    # The reviewer judges what the institution page shows: the same panels of the apps that
    # build on the registry (the workforce: certification rate and roster checks).
    panels = [html for html in call_app_hooks("institution_panel", actor=request.user, institution=filing.institution,
                                              request=request).values() if html]  # fmt: skip
    return {
        "filing": filing,
        "institution": filing.institution,
        "warnings": standards.institution_warnings(filing.institution, groups, parameters.load()),
        "panels": panels,
        "checklist": checklist,
        "missing": [item for item in checklist if not item["attachments"]],
        "others": others,
        "reason_items": reason_items,
        "general_reason": reasons.get(GENERAL, ""),
        "can_write": can_write,
        "can_decide": can_decide,
        "edit_form": FilingEditForm(
            initial={"summary": filing.summary, "commitment_signed_by": filing.commitment_signed_by}
        ),
        "upload_form": AttachmentUploadForm(),
        "document_kinds": FilingAttachment.Kind.choices,
        "return_fields": return_fields,
        "needs_commitment": filing.kind == Filing.Kind.INITIAL,
        "change_rows": selectors.change_rows(actor=request.user, filing=filing),
    }


@login_required
@require_GET
def filing_detail(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    return render(request, "registry/filings/detail.html", _detail_context(request, filing))


@login_required
@require_POST
def filing_edit(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    _require_writer(request, filing)
    form = FilingEditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        services.filing_update(actor=request.user, filing=filing, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Filing saved."))
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_change_withdraw(request, pk: int):
    """Take one proposed change out of a draft or returned change filing."""
    filing = selectors.filing_get(actor=request.user, pk=pk)
    _require_writer(request, filing)
    form = ChangeWithdrawForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        change_services.change_withdraw_item(actor=request.user, filing=filing, item=form.cleaned_data["item"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The change was withdrawn from the proposal."))
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_attachment_upload(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    _require_writer(request, filing)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        attachment = services.attachment_add(
            actor=request.user, filing=filing, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s added as “%(kind)s”.")
            % {"name": attachment.stored.original_name, "kind": _item_label(attachment.kind)},
        )
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_attachment_delete(request, pk: int):
    attachment = selectors.attachment_get(actor=request.user, pk=pk)
    filing = attachment.filing
    _require_writer(request, filing)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s removed.") % {"name": attachment.stored.original_name})
    return _to_detail(filing.pk)


@login_required
@require_GET
def filing_attachment_download(request, pk: int):
    """Files live outside the web root (there is no MEDIA_URL route) and leave only here,
    after the policy, as a download the browser must not sniff or render."""
    attachment = selectors.attachment_get(actor=request.user, pk=pk)
    response = files.response(attachment.stored)
    services.attachment_downloaded(actor=request.user, attachment=attachment, request=request)
    return response


@login_required
@require_POST
def filing_submit(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    _require_writer(request, filing)
    try:
        filing = services.filing_submit(actor=request.user, filing=filing)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Filing submitted. The health bureau reviews it by %(due)s.") % {"due": filing.due_on}
        )
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_accept(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, REVIEW_DUTY)
    form = FilingAcceptForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        filing = services.filing_accept(actor=request.user, filing=filing, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        number = filing.number or filing.institution.filing_number
        messages.success(request, _("Filing accepted. Filing number: %(number)s.") % {"number": number or "—"})
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_return(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, REVIEW_DUTY)
    form = FilingReturnForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        services.filing_return(
            actor=request.user, filing=filing, reasons=form.reasons(), note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Filing returned to the institution for correction."))
    return _to_detail(filing.pk)


@login_required
@require_POST
def filing_reject(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, REVIEW_DUTY)
    form = FilingRejectForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(filing.pk)
    try:
        services.filing_reject(actor=request.user, filing=filing, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Filing rejected."))
    return _to_detail(filing.pk)


@login_required
@require_GET
def filing_receipt(request, pk: int):
    filing = selectors.filing_get(actor=request.user, pk=pk)
    if filing.status != Filing.Status.ACCEPTED:
        raise Http404
    context = {
        "filing": filing,
        "institution": filing.institution,
        "number": filing.number or filing.institution.filing_number,
        "change_rows": selectors.change_rows(actor=request.user, filing=filing),
    }
    return render(request, "registry/filings/receipt.html", context)


@login_required
@require_GET
def filing_ledger(request):
    """The printable filing ledger (备案台账) of a month, of the city or one township in sight:
    the filings accepted that month. Without a month, this month; a bad value is a message."""
    townships = selectors.institution_township_choices(actor=request.user)
    data = request.GET.copy()
    data.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    form = FilingLedgerForm(data, townships=townships)
    if not form.is_valid():
        return render(request, "registry/filings/ledger.html", {"form": form, "filings": []}, status=400)
    year, month = form.period()
    township = form.cleaned_data["township"]
    context = {
        "form": form,
        "filings": selectors.filing_ledger(actor=request.user, year=year, month=month, township=township),
        "year": year,
        "month": month,
        "township": dict(form.fields["township"].choices).get(township) if township else "",
    }
    return render(request, "registry/filings/ledger.html", context)


urlpatterns = [
    path("filings/", filing_list, name="filing_list"),
    path("filings/ledger/", filing_ledger, name="filing_ledger"),
    path("filings/start/", filing_start, name="filing_start"),
    path("filings/<int:pk>/", filing_detail, name="filing_detail"),
    path("filings/<int:pk>/edit/", filing_edit, name="filing_edit"),
    path("filings/<int:pk>/changes/withdraw/", filing_change_withdraw, name="filing_change_withdraw"),
    path("filings/<int:pk>/attachments/", filing_attachment_upload, name="filing_attachment_upload"),
    path("filings/<int:pk>/submit/", filing_submit, name="filing_submit"),
    path("filings/<int:pk>/accept/", filing_accept, name="filing_accept"),
    path("filings/<int:pk>/return/", filing_return, name="filing_return"),
    path("filings/<int:pk>/reject/", filing_reject, name="filing_reject"),
    path("filings/<int:pk>/receipt/", filing_receipt, name="filing_receipt"),
    path("attachments/<int:pk>/", filing_attachment_download, name="filing_attachment_download"),
    path("attachments/<int:pk>/delete/", filing_attachment_delete, name="filing_attachment_delete"),
]
