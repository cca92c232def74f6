"""Certificate pages: adding one to a staff member (with a scan judged by its content), the scan
download, withdrawing an unverified one, the HR bureau's verification queue and decisions, the
expiring list, and the kinds of certificate with the health bureau's definition of the rate.

Sight comes from the policy through ``training.selectors`` (out of sight: 404); who may act is
asked before the input is judged (in sight but not allowed: 403, logged). A refusal by a
service, a second decision on the same certificate included, is shown as its message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, lists, policy
from accounts.errors import ApplicationError
from accounts.models import SecurityEvent
from paperwork import bulk, files
from training import rules, selectors
from training.forms.workforce import (
    BulkDecisionForm,
    CertificateForm,
    KindCountsForm,
    RejectForm,
    VerifyForm,
    add_service_errors,
)
from training.models import Certificate
from training.services import certificates as services
from training.views.staff import warning_horizon

PAGE_SIZE = 25
EXPIRY_PAGE_SIZE = 50


def _require_keeper(request, institution) -> None:
    if not rules.may_keep_roster(request.user, institution):
        raise PermissionDenied(rules.SELF_DUTY)


def _back(request, fallback: str, **kwargs):
    """Back to the page the form was on (``next``, a path of this site) or to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, **kwargs)


# --- One staff member's certificates ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def certificate_create(request, pk: int):
    member = selectors.staff_get(actor=request.user, pk=pk)
    _require_keeper(request, member.institution)
    kinds = selectors.certificate_kinds(actor=request.user)
    if request.method == "POST":
        form = CertificateForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            try:
                certificate = services.certificate_add(actor=request.user, member=member, **form.cleaned_data)
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(kind)s %(number)s recorded; the human resources bureau will verify it.")
                    % {"kind": certificate.kind.name, "number": certificate.number},
                )
                return redirect("staff_detail", pk=member.pk)
    else:
        form = CertificateForm(kinds=kinds)
    return render(request, "training/certificates/form.html", {"form": form, "member": member})


@login_required
@require_GET
def certificate_scan(request, pk: int):
    """Scans live outside the web root and leave only here, after the policy, as a download
    the browser must not sniff or render. Someone outside the institution opening one reads
    personal data: that goes to the security log (as for staff papers of a filing)."""
    certificate = selectors.certificate_get(actor=request.user, pk=pk)
    if certificate.scan is None:
        raise Http404
    response = files.response(certificate.scan, filename=certificate.scan.original_name or "scan")
    own = {org.pk for org in policy.organisations_of(request.user)}
    if certificate.staff.institution.organisation_id not in own:
        audit.security_event(
            kind=SecurityEvent.Kind.REVEAL,
            user=request.user,
            request=request,
            detail={"model": "training.certificate", "pk": certificate.pk, "field": "scan",
                    "staff": certificate.staff_id},
        )  # fmt: skip
    else:  # the institution's own scan: a document opened like any other
        audit.file_opened(request, model="training.certificate", pk=certificate.pk, field="scan")
    return response


@login_required
@require_POST
def certificate_withdraw(request, pk: int):
    certificate = selectors.certificate_get(actor=request.user, pk=pk)
    _require_keeper(request, certificate.staff.institution)
    staff_pk, label = certificate.staff_id, f"{certificate.kind.name} {certificate.number}"
    try:
        services.certificate_withdraw(actor=request.user, certificate=certificate)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(certificate)s removed.") % {"certificate": label})
    return redirect("staff_detail", pk=staff_pk)


# --- Verification by the HR bureau ----------------------------------------------------------


@login_required
@require_GET
def certificate_queue(request):
    """The HR bureau's queue (oldest first, pending by default); the health bureau reads the
    same list; an institution or a township sees its certificates and their status."""
    user = request.user
    # The reviewers' queue opens on the certificates waiting for them (kept in the URL, so the
    # export and the sort links keep it); the others see every status.
    defaults = {"status": Certificate.Status.PENDING} if rules.is_certificate_reviewer(user) else {}
    context = lists.page_context(request, lists.spec_get("certificates"), page_size=PAGE_SIZE, defaults=defaults)
    page = context["page"]
    context |= {
        "status": context["filter"].data.get("status", ""),
        "may_verify": rules.may_verify(user),
        "pending": Certificate.Status.PENDING,
        "verified": Certificate.Status.VERIFIED,
        "rejected": Certificate.Status.REJECTED,
        "today": timezone.localdate(),
        # Many at once: the page's pending rows can be chosen (static/js/bulk.js).
        "bulk": rules.may_verify(user) and any(c.status == Certificate.Status.PENDING for c in page),
        "bulk_max": bulk.BATCH_MAX,
    }
    return render(request, "training/certificates/queue.html", context)


def _decision(request, pk: int, form_class, decide, done: str):
    certificate = selectors.certificate_get(actor=request.user, pk=pk)
    if not rules.may_verify(request.user):
        raise PermissionDenied(rules.VERIFY_DUTY)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, "certificate_queue")
    try:
        certificate = decide(actor=request.user, certificate=certificate, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"kind": certificate.kind.name, "name": certificate.staff.name})
    return _back(request, "certificate_queue")


@login_required
@require_POST
def certificate_verify(request, pk: int):
    return _decision(request, pk, VerifyForm, services.certificate_verify, _("%(kind)s of %(name)s verified."))


@login_required
@require_POST
def certificate_reject(request, pk: int):
    return _decision(request, pk, RejectForm, services.certificate_reject, _("%(kind)s of %(name)s rejected."))


@login_required
@require_POST
def certificate_bulk_decide(request):
    """Verify or reject the chosen certificates of the queue: all of them or, if one cannot be
    decided, none (the message names it and why)."""
    if not rules.may_verify(request.user):
        raise PermissionDenied(rules.VERIFY_DUTY)
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, "certificate_queue")
    data = form.cleaned_data
    try:
        decided = services.certificates_decide_many(
            actor=request.user, ids=data["ids"], status=data["decision"], note=data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        for problem in error.fields.get("items", []) + error.fields.get("note", []):
            messages.error(request, problem)
    else:
        n = len(decided)
        if data["decision"] == Certificate.Status.VERIFIED:
            done = ngettext("%(n)d certificate verified.", "%(n)d certificates verified.", n)
        else:
            done = ngettext("%(n)d certificate rejected.", "%(n)d certificates rejected.", n)
        messages.success(request, done % {"n": n})
    return _back(request, "certificate_queue")


# --- Expiring and expired -------------------------------------------------------------------


@login_required
@require_GET
def certificate_expiring(request):
    """Certificates and health certificates of active staff that expired or expire within the
    warning period: an institution its own, the bureaus and a township those in sight."""
    items = selectors.expiry_list(actor=request.user)
    page = Paginator(items, EXPIRY_PAGE_SIZE).get_page(request.GET.get("page"))
    today, warn_until = warning_horizon()
    context = {"page": page, "today": today, "warn_until": warn_until, "expired": sum(1 for i in items if i.expired)}
    return render(request, "training/certificates/expiring.html", context)


# --- Kinds of certificate and the definition of the rate ------------------------------------


@login_required
@require_GET
def certificate_kind_list(request):
    kinds = list(selectors.certificate_kinds(actor=request.user, active_only=False))
    context = {
        "kinds": kinds,
        "definition": selectors.rate_definition() if kinds else None,
        "may_change": policy.has_duty(request.user, rules.OVERSEE_DUTY),
    }
    return render(request, "training/certificates/kinds.html", context)


@login_required
@require_POST
def certificate_kind_update(request, pk: int):
    kind = selectors.certificate_kind_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, rules.OVERSEE_DUTY)
    form = KindCountsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the kind counts towards the certification rate."))
        return redirect("certificate_kind_list")
    kind = services.certificate_kind_set_counts(
        actor=request.user, kind=kind, counts_for_rate=form.cleaned_data["counts_for_rate"]
    )
    if kind.counts_for_rate:
        messages.success(request, _("%(kind)s now counts towards the certification rate.") % {"kind": kind.name})
    else:
        messages.success(request, _("%(kind)s no longer counts towards the certification rate.") % {"kind": kind.name})
    return redirect("certificate_kind_list")


urlpatterns = [
    path("staff/<int:pk>/certificates/new/", certificate_create, name="certificate_create"),
    path("certificates/", certificate_queue, name="certificate_queue"),
    path("certificates/expiring/", certificate_expiring, name="certificate_expiring"),
    path("certificates/<int:pk>/scan/", certificate_scan, name="certificate_scan"),
    path("certificates/<int:pk>/withdraw/", certificate_withdraw, name="certificate_withdraw"),
    path("certificates/<int:pk>/verify/", certificate_verify, name="certificate_verify"),
    path("certificates/<int:pk>/reject/", certificate_reject, name="certificate_reject"),
    path("certificates/decide/", certificate_bulk_decide, name="certificate_bulk_decide"),
    path("certificate-kinds/", certificate_kind_list, name="certificate_kind_list"),
    path("certificate-kinds/<int:pk>/", certificate_kind_update, name="certificate_kind_update"),
]
