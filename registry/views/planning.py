"""Pages of residential areas and their care slots, the guidance network, fees and pricing
guidance.

Each page parses the request, calls selectors or one service and renders. Who may act is asked
of the policy before the input is judged (someone without the right gets 403, not a form
error); the services still check every action themselves. A refusal by a service is shown as
its message, and nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from registry import rules, selectors, slots
from registry.forms.planning import (
    FeeForm,
    GuidanceActivityForm,
    GuidanceSiteCloseForm,
    GuidanceSiteForm,
    PricingGuidanceForm,
    ResidentialAreaForm,
)
from registry.models import GuidanceSite
from registry.services import planning

AREA_PAGE_SIZE = 50
SITE_PAGE_SIZE = 50
PRICING_PAGE_SIZE = 50


def _show_refusal(form, error: ApplicationError) -> None:
    """A service's refusal as form errors: on the fields it names, else for the whole form."""
    placed = False
    for name, field_errors in error.fields.items():
        if name in form.fields and name not in form.errors:
            for message in field_errors:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# --- Residential areas ------------------------------------------------------------------


@login_required
@require_GET
def residential_area_list(request):
    """The areas in the user's sight with their care slots, and totals by township over the
    same filtered rows (``registry.lists``: the same filter set as the export and the API)."""
    actor = request.user
    context = lists.page_context(request, lists.spec_get("residential_areas"), page_size=AREA_PAGE_SIZE)
    params = slots.slot_parameters()
    filterset, page = context["filter"], context["page"]
    if filterset.is_valid():
        summary = selectors.residential_area_summary(actor=actor, params=params, areas=filterset.qs)
    else:  # an invalid filter lists nothing rather than everything
        summary = {"townships": [], "total": None}
    rows = selectors.residential_area_rows(actor=actor, areas=page.object_list, params=params)
    context |= {
        "rows": rows,
        "summary": summary,
        "rate_new": params.get(slots.RATE_KEYS["new"]),
        "rate_old": params.get(slots.RATE_KEYS["old"]),
        "can_record": rules.can_record_residential_areas(actor),
    }
    return render(request, "registry/planning/residential_area_list.html", context)


def _area_form_page(request, *, area=None):
    actor = request.user
    villages = selectors.residential_area_villages(actor=actor)
    initial = {}
    if area is not None:
        initial = {"name": area.name, "kind": area.kind, "village": area.village_id, "population": area.population,
                   "planned_slots": area.planned_slots, "note": area.note}  # fmt: skip
    form = ResidentialAreaForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = planning.residential_area_save(actor=actor, area=area, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Residential area %(name)s saved.") % {"name": saved.name})
            return redirect("residential_area_list")
    params = slots.slot_parameters()
    context = {
        "form": form,
        "area": area,
        "rate_new": params.get(slots.RATE_KEYS["new"]),
        "rate_old": params.get(slots.RATE_KEYS["old"]),
    }
    return render(request, "registry/planning/residential_area_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def residential_area_create(request):
    if not rules.can_record_residential_areas(request.user):
        raise PermissionDenied(rules.PLANNING_DUTY)
    return _area_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def residential_area_edit(request, pk: int):
    area = selectors.residential_area_get(actor=request.user, pk=pk)
    if not rules.can_change_residential_area(request.user, area):
        raise PermissionDenied(rules.PLANNING_DUTY)
    return _area_form_page(request, area=area)


@login_required
@require_POST
def residential_area_delete(request, pk: int):
    area = selectors.residential_area_get(actor=request.user, pk=pk)
    planning.residential_area_delete(actor=request.user, area=area)
    messages.success(request, _("Residential area %(name)s deleted.") % {"name": area.name})
    return redirect("residential_area_list")


# --- The guidance network ---------------------------------------------------------------


@login_required
@require_GET
def guidance_site_list(request):
    actor = request.user
    context = lists.page_context(request, lists.spec_get("guidance_sites"), page_size=SITE_PAGE_SIZE)
    context |= {
        "level": request.GET.get("level", "") if request.GET.get("level") in GuidanceSite.Level.values else "",
        "levels": selectors.guidance_site_level_counts(actor=actor),
        "can_manage": rules.can_manage_guidance_sites(actor),
    }
    return render(request, "registry/planning/guidance_site_list.html", context)


def _site_page(request, site, *, close_form=None, activity_form=None):
    actor = request.user
    can_keep = not site.is_closed and rules.can_keep_guidance_site(actor, site)
    context = {
        "site": site,
        "activities": selectors.guidance_activity_list(actor=actor, site=site),
        "can_keep": can_keep,
        "close_form": (close_form or GuidanceSiteCloseForm()) if can_keep else None,
        "activity_form": (activity_form or GuidanceActivityForm()) if can_keep else None,
    }
    return render(request, "registry/planning/guidance_site_detail.html", context)


def _site_to_keep(request, pk: int):
    """The site, if in sight (else 404) and kept by the user (else 403)."""
    site = selectors.guidance_site_get(actor=request.user, pk=pk)
    if not rules.can_keep_guidance_site(request.user, site):
        raise PermissionDenied(rules.GUIDANCE_DUTY)
    return site


@login_required
@require_GET
def guidance_site_detail(request, pk: int):
    return _site_page(request, selectors.guidance_site_get(actor=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def guidance_site_edit(request, pk: int):
    actor = request.user
    site = _site_to_keep(request, pk)
    if site.is_closed:
        messages.error(request, _("This guidance site is closed and can no longer be changed."))
        return redirect("guidance_site_detail", pk=site.pk)
    initial = {
        "name": site.name,
        "level": site.level,
        "region": site.region,
        "address": site.address,
        "covered_villages": list(site.covered_villages.all()),
        "opened_on": site.opened_on,
        "contact_name": site.contact_name,
        "contact_phone": site.contact_phone,
    }
    form = GuidanceSiteForm(
        request.POST or None,
        initial=initial,
        levels=rules.guidance_levels_for(actor),
        regions=selectors.guidance_site_regions(actor=actor),
        villages=selectors.guidance_site_villages(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            planning.guidance_site_save(actor=actor, site=site, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Guidance site saved."))
            return redirect("guidance_site_detail", pk=site.pk)
    return render(request, "registry/planning/guidance_site_form.html", {"form": form, "site": site})


@login_required
@require_POST
def guidance_site_close(request, pk: int):
    site = _site_to_keep(request, pk)  # a closed site: the service refuses, under its lock
    form = GuidanceSiteCloseForm(request.POST)
    if form.is_valid():
        try:
            planning.guidance_site_close(actor=request.user, site=site, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Guidance site closed."))
            return redirect("guidance_site_detail", pk=site.pk)
    return _site_page(request, site, close_form=form)


@login_required
@require_POST
def guidance_activity_add(request, pk: int):
    site = _site_to_keep(request, pk)  # a closed site: the service refuses, under its lock
    form = GuidanceActivityForm(request.POST)
    if form.is_valid():
        try:
            planning.guidance_activity_add(actor=request.user, site=site, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("guidance_site_detail", pk=site.pk)
    return _site_page(request, site, activity_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def guidance_site_create(request):
    actor = request.user
    if not rules.can_manage_guidance_sites(actor):
        raise PermissionDenied(rules.GUIDANCE_DUTY)
    form = GuidanceSiteForm(
        request.POST or None,
        levels=rules.guidance_levels_for(actor),
        regions=selectors.guidance_site_regions(actor=actor),
        villages=selectors.guidance_site_villages(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            site = planning.guidance_site_save(actor=actor, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Guidance site %(name)s set up.") % {"name": site.name})
            return redirect("guidance_site_detail", pk=site.pk)
    return render(request, "registry/planning/guidance_site_form.html", {"form": form})


# --- Fees -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def fee_add(request, pk: int):
    """The fees of an institution: everyone who sees it reads them; its own officers add and
    delete them."""
    actor = request.user
    institution = selectors.fee_institution_get(actor=actor, pk=pk)
    can_keep = rules.can_keep_fees(actor, institution)
    form = FeeForm(request.POST or None) if can_keep else None
    if request.method == "POST":
        if not can_keep:
            raise PermissionDenied(rules.INSTITUTION_DUTY)
        if form.is_valid():
            try:
                planning.fee_save(actor=actor, institution=institution, **form.cleaned_data)
            except ApplicationError as error:
                _show_refusal(form, error)
            else:
                messages.success(request, _("Fee published."))
                return redirect("fee_add", pk=institution.pk)
    context = {
        "institution": institution,
        "fees": selectors.fee_list(actor=actor, institution=institution),
        "form": form,
        "can_keep": can_keep,
    }
    return render(request, "registry/planning/fee_list.html", context)


@login_required
@require_POST
def fee_delete(request, pk: int):
    fee = selectors.fee_get(actor=request.user, pk=pk)
    planning.fee_delete(actor=request.user, fee=fee)
    messages.success(request, _("Fee deleted."))
    return redirect("fee_add", pk=fee.institution_id)


# --- Pricing guidance -------------------------------------------------------------------


def _pricing_page(request, form):
    actor = request.user
    comparison = selectors.inclusive_fee_comparison(actor=actor)
    page = Paginator(comparison["rows"], PRICING_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**comparison, "page": page, "form": form, "can_guide": rules.can_guide_prices(actor)}
    return render(request, "registry/planning/pricing_guidance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pricing_guidance(request):
    """``pricing/``: GET lists the guide prices and inclusive fees against them
    (``pricing_guidance_list``); POST sets a guide price (``pricing_guidance_create``)."""
    if request.method == "POST":
        return pricing_guidance_create(request)
    form = PricingGuidanceForm() if rules.can_guide_prices(request.user) else None
    return _pricing_page(request, form)


def pricing_guidance_create(request):
    if not rules.can_guide_prices(request.user):
        raise PermissionDenied(rules.PRICING_DUTY)
    form = PricingGuidanceForm(request.POST)
    if form.is_valid():
        try:
            planning.pricing_guidance_save(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Guide price saved."))
            return redirect("pricing_guidance_list")
    return _pricing_page(request, form)


urlpatterns = [
    path("residential-areas/", residential_area_list, name="residential_area_list"),
    path("residential-areas/new/", residential_area_create, name="residential_area_create"),
    path("residential-areas/<int:pk>/edit/", residential_area_edit, name="residential_area_edit"),
    path("residential-areas/<int:pk>/delete/", residential_area_delete, name="residential_area_delete"),
    path("guidance/", guidance_site_list, name="guidance_site_list"),
    path("guidance/new/", guidance_site_create, name="guidance_site_create"),
    path("guidance/<int:pk>/", guidance_site_detail, name="guidance_site_detail"),
    path("guidance/<int:pk>/edit/", guidance_site_edit, name="guidance_site_edit"),
    path("guidance/<int:pk>/close/", guidance_site_close, name="guidance_site_close"),
    path("guidance/<int:pk>/activities/", guidance_activity_add, name="guidance_activity_add"),
    path("institutions/<int:pk>/fees/", fee_add, name="fee_add"),
    path("fees/<int:pk>/delete/", fee_delete, name="fee_delete"),
    # One path, two names: GET reads (the list), POST sets a guide price (the create).
    path("pricing/", pricing_guidance, name="pricing_guidance_list"),
    path("pricing/", pricing_guidance, name="pricing_guidance_create"),
]
