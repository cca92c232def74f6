"""Complaint pages: the public's form and tracking (no login), the handlers' list and page,
and the QR poster for an institution's door.

The public pages read and write through the services and selectors only, and show a complaint
to its tracking code alone, without the contact or the findings. The handlers' pages get the
complaint through the policy (out of sight: 404); an action by someone who sees it but does not
handle it is 403. The complainant's contact appears only in the answer to the reveal, which is
audited."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from accounts.network import client_ip
from inspections.pdf import PdfUnavailable, html_to_pdf
from registry import selectors as registry_selectors
from registry.models import Institution
from supervision import routing, rules
from supervision.forms.complaints import (
    ComplaintForm,
    ConcludeForm,
    OrderForm,
    ReferForm,
    TrackForm,
    UnregisteredComplaintForm,
)
from supervision.models import Complaint
from supervision.selectors import complaints as selectors
from supervision.services import complaints as services

PAGE_SIZE = 25


def _add_errors(form, error: ApplicationError) -> None:
    form.add_error(None, error.message)
    for name, field_errors in error.fields.items():
        form.add_error(name if name in form.fields else None, field_errors)


# --- The public: complain and follow ----------------------------------------------------------


def _submit(request, form, **subject):
    """Send the complaint if the address may still send one today; the confirmation page
    shows the tracking code once (it is not put in a URL, where it would reach logs)."""
    address = client_ip(request)
    try:
        services.complaint_rate_check(address=address)
        data = {k: v for k, v in form.cleaned_data.items() if k != "township"}
        complaint = services.complaint_submit(**data, **subject)
    except ApplicationError as error:
        _add_errors(form, error)
        return None
    services.complaint_rate_count(address=address)
    return complaint


@require_http_methods(["GET", "POST"])
def complaint_new(request, institution_pk: int):
    institution = registry_selectors.public_institution_get(institution_pk)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = _submit(request, form, institution=Institution(pk=institution.pk))
        if complaint is not None:
            return render(request, "supervision/complaints/sent.html", {"complaint": complaint})
    return render(request, "supervision/complaints/new.html", {"form": form, "institution": institution})


@require_http_methods(["GET", "POST"])
def complaint_new_unregistered(request):
    townships = registry_selectors.public_township_choices()
    form = UnregisteredComplaintForm(request.POST or None, townships=townships)
    if request.method == "POST" and form.is_valid():
        township = next(t for t in townships if t.code == form.cleaned_data["township"])
        complaint = _submit(request, form, township=township, category=Complaint.Category.UNREGISTERED)
        if complaint is not None:
            return render(request, "supervision/complaints/sent.html", {"complaint": complaint})
    return render(request, "supervision/complaints/new.html", {"form": form, "institution": None})


@require_http_methods(["GET", "POST"])
def complaint_track(request):
    """The code is posted, not put in the URL; an unknown code says so and nothing more."""
    form = TrackForm(request.POST or None)
    tracked = None
    if request.method == "POST" and form.is_valid():
        tracked = selectors.complaint_track(code=form.cleaned_data["code"])
        if tracked is None:
            form.add_error("code", _("No complaint has this tracking code. Check it and try again."))
    return render(request, "supervision/complaints/track.html", {"form": form, "tracked": tracked})


# --- The handlers ----------------------------------------------------------------------------


@login_required
@require_GET
def complaint_list(request):
    """The complaints routed or referred to the user's organisations (``supervision.lists``: the
    same filter set as the export and the API)."""
    context = lists.page_context(request, lists.spec_get("complaints"), page_size=PAGE_SIZE)
    context["today"] = timezone.localdate()
    return render(request, "supervision/complaints/list.html", context)


def _detail(request, complaint, *, contact=None, conclude_form=None, refer_form=None, order_form=None, status=200):
    may_handle = rules.can_handle_complaint(request.user, complaint)
    area = routing.area_of(complaint.category)
    may_follow_up = (
        rules.handling_organisation(request.user, complaint) is not None
        and complaint.outcome == Complaint.Outcome.SUBSTANTIATED
    )
    context = {
        "complaint": complaint,
        "handlers": list(complaint.handlers.all()),
        "may_handle": may_handle,
        "may_reveal": rules.can_reveal_contact(request.user, complaint),
        "has_contact": bool(complaint.contact_name or complaint.contact_phone),
        "contact": contact,
        "conclude_form": conclude_form or ConcludeForm(),
        "refer_form": refer_form or ReferForm(organisations=_referral_targets(complaint)),
        "order_form": order_form or OrderForm(),
        "may_order": may_follow_up and complaint.institution_id and area and not complaint.order_id,
        "may_open_case": may_follow_up and rules.can_open_case(request.user, complaint),
        "overdue": selectors.is_overdue(complaint),
    }
    return render(request, "supervision/complaints/detail.html", context, status=status)


def _referral_targets(complaint):
    return selectors.referral_targets(complaint=complaint)


@login_required
@require_GET
def complaint_detail(request, pk: int):
    return _detail(request, selectors.complaint_get(actor=request.user, pk=pk))


def _acting(request, pk: int) -> Complaint:
    complaint = selectors.complaint_get(actor=request.user, pk=pk)
    if rules.handling_organisation(request.user, complaint) is None:
        raise PermissionDenied("complaint.handle")
    return complaint


@login_required
@require_POST
def complaint_acknowledge(request, pk: int):
    complaint = _acting(request, pk)
    try:
        services.complaint_acknowledge(actor=request.user, complaint=complaint)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Complaint acknowledged."))
    return redirect("complaint_detail", pk=pk)


@login_required
@require_POST
def complaint_conclude(request, pk: int):
    complaint = _acting(request, pk)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_conclude(actor=request.user, complaint=complaint, **form.cleaned_data)
        except ApplicationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Complaint concluded."))
            return redirect("complaint_detail", pk=pk)
    return _detail(request, complaint, conclude_form=form, status=400)


@login_required
@require_POST
def complaint_refer(request, pk: int):
    complaint = _acting(request, pk)
    targets = _referral_targets(complaint)
    form = ReferForm(request.POST, organisations=targets)
    if form.is_valid():
        target = next(o for o in targets if o.pk == form.cleaned_data["organisation"])
        try:
            services.complaint_refer(
                actor=request.user, complaint=complaint, organisation=target, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Complaint referred to %(name)s.") % {"name": target.name})
            # The referring department may still see the complaint (rule 32), not act on it.
            return redirect("complaint_detail", pk=pk)
    return _detail(request, complaint, refer_form=form, status=400)


@login_required
@require_POST
def complaint_contact(request, pk: int):
    """The complainant's name and phone, shown once on this answer (audited), never stored in
    a page that can be reopened without asking again."""
    complaint = selectors.complaint_get(actor=request.user, pk=pk)
    if not rules.can_reveal_contact(request.user, complaint):
        raise PermissionDenied("complaint.handle")
    contact = services.complaint_contact_reveal(actor=request.user, complaint=complaint)
    return _detail(request, complaint, contact=contact)


@login_required
@require_POST
def complaint_order(request, pk: int):
    complaint = _acting(request, pk)
    form = OrderForm(request.POST)
    if form.is_valid():
        try:
            order = services.complaint_order_open(actor=request.user, complaint=complaint, **form.cleaned_data)
        except ApplicationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Rectification order %(number)s issued.") % {"number": order.number})
            return redirect("complaint_detail", pk=pk)
    return _detail(request, complaint, order_form=form, status=400)


@login_required
@require_POST
def complaint_case(request, pk: int):
    complaint = _acting(request, pk)
    try:
        services.complaint_case_open(actor=request.user, complaint=complaint)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A case was opened."))
    return redirect("complaint_detail", pk=pk)


# --- The QR poster -------------------------------------------------------------------------------


def _poster(request, institution_pk: int) -> str:
    """The poster's HTML: the institution must be in the user's sight (else 404) and theirs or
    the health bureau's to print (else 403), and filed (the poster points at its public page)."""
    institution = selectors.poster_institution_get(actor=request.user, pk=institution_pk)
    if not rules.can_download_poster(request.user, institution):
        raise PermissionDenied("poster")
    public = registry_selectors.public_institution_get(institution_pk)
    url = request.build_absolute_uri(reverse("public_institution_detail", args=[institution_pk]))
    qr = segno.make(url, error="m")
    context = {"institution": public, "url": url, "qr_svg": qr.svg_inline(border=2, omitsize=True)}
    return render_to_string("supervision/complaints/poster.html", context, request=request)


@login_required
@require_GET
def institution_poster(request, institution_pk: int):
    return HttpResponse(_poster(request, institution_pk))


@login_required
@require_GET
def institution_poster_pdf(request, institution_pk: int):
    html = _poster(request, institution_pk)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect("institution_poster", institution_pk=institution_pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="poster-{institution_pk}.pdf"'
    return response


urlpatterns = [
    path("complain/", complaint_new_unregistered, name="complaint_new_unregistered"),
    path("complain/<int:institution_pk>/", complaint_new, name="complaint_new"),
    path("track/", complaint_track, name="complaint_track"),
    path("complaints/", complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/acknowledge/", complaint_acknowledge, name="complaint_acknowledge"),
    path("complaints/<int:pk>/conclude/", complaint_conclude, name="complaint_conclude"),
    path("complaints/<int:pk>/refer/", complaint_refer, name="complaint_refer"),
    path("complaints/<int:pk>/contact/", complaint_contact, name="complaint_contact"),
    path("complaints/<int:pk>/order/", complaint_order, name="complaint_order"),
    path("complaints/<int:pk>/case/", complaint_case, name="complaint_case"),
    path("poster/<int:institution_pk>/", institution_poster, name="institution_poster"),
    path("poster/<int:institution_pk>/pdf/", institution_poster_pdf, name="institution_poster_pdf"),
]
