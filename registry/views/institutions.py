"""Institution pages: the list with its Excel export, the record, its own edit and class groups.

Scope comes from the policy through the selectors: out of sight is 404, in sight but not one's
own institution to keep is 403. Standards findings on class groups are warnings shown after
saving, never refusals (``registry.standards``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, lists
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from accounts.models import SecurityEvent
from registry import proposals, rules, selectors
from registry.forms.institutions import ChangeProposalForm, ClassGroupForm, InstitutionForm
from registry.services import changes as change_services

PAGE_SIZE = 25
SELF_DUTY = "institution.self"


def _add_errors(form, error: Exception) -> None:
    """An ApplicationError or a model ValidationError from a service, shown on the form."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        for name, field_errors in error.fields.items():
            form.add_error(name if name in form.fields else None, field_errors)
        return
    for name, field_errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(name if name in form.fields else None, field_errors)


def _show_warnings(request, group) -> None:
    for warning in selectors.class_group_warnings(group=group):
        messages.warning(request, f"{warning.subject}: {warning.message}")


def _require_keeper(request, institution) -> None:
    """403 (logged) unless the user keeps this institution's record; callers first got the
    institution through a scoped selector, so an unseen one was already 404."""
    if not rules.can_edit_institution(actor=request.user, institution=institution):
        raise PermissionDenied(SELF_DUTY)


@login_required
@require_GET
def institution_list(request):
    return render(
        request, "registry/institutions/list.html", lists.page_context(request, lists.spec_get("institutions"))
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_export(request):
    """The list's export (``accounts.lists.export``): at once up to a page, else in the background."""
    return lists.export(request, lists.spec_get("institutions"))


@login_required
@require_GET
def institution_choices(request):
    """The matches of a search-as-you-type institution field (``?q=`` part of the name), in the
    user's sight only: a small answer, so that no page lists every institution."""
    results = selectors.institution_choices(actor=request.user, text=request.GET.get("q", "").strip()[:64])
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def institution_detail(request, pk: int):
    overview = selectors.institution_overview(actor=request.user, pk=pk)
    institution = overview.institution
    if overview.shows_contact_phone and institution.contact_phone and not overview.is_own:
        # A reviewer read another organisation's unmasked contact phone: such views are logged.
        audit.security_event(
            kind=SecurityEvent.Kind.REVEAL,
            user=request.user,
            request=request,
            detail={"model": "registry.institution", "pk": institution.pk, "field": "contact_phone"},
        )
    class_form = ClassGroupForm(auto_id="new_class_%s") if overview.can_edit else None
    # Panels of the apps that build on the registry (the workforce: certification rate, roster checks).
    panels = [html for html in call_app_hooks("institution_panel", actor=request.user, institution=institution,
                                              request=request).values() if html]  # fmt: skip
    context = {"overview": overview, "class_form": class_form, "panels": panels}
    return render(request, "registry/institutions/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request, pk: int):
    institution = selectors.institution_get(actor=request.user, pk=pk)
    _require_keeper(request, institution)
    data = request.POST if request.method == "POST" else None
    change = selectors.change_filing_open_for(actor=request.user, institution=institution)
    if proposals.is_filed(institution):
        # The form starts from the registry with the open proposal applied: the institution
        # edits its proposal, and the filed facts it changes are proposed, not saved.
        form = ChangeProposalForm(
            data, instance=proposals.institution_after(institution, change.proposal if change else {})
        )
    else:
        form = InstitutionForm(data, instance=institution)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("institution_detail", pk=pk)
        try:
            filing = change_services.institution_record_change(
                actor=request.user, institution=institution, changes=changes
            )
        except (ApplicationError, ValidationError) as error:
            _add_errors(form, error)
        else:
            return _after_change(request, institution, filing, _("The institution's record was saved."))
    context = {"form": form, "institution": institution, "filed": proposals.is_filed(institution), "change": change}
    return render(request, "registry/institutions/edit.html", context, status=400 if form.is_bound else 200)


def _after_change(request, institution, filing, saved_message):
    """Where a save of the institution's own record leads: a proposal to its change filing
    (the registry keeps the filed values until the health bureau accepts), else back to the
    institution with ``saved_message``."""
    if filing is None:
        messages.success(request, saved_message)
        return HttpResponseRedirect(f"{reverse('institution_detail', args=[institution.pk])}#classes")
    messages.success(
        request,
        _(
            "The change is proposed in the change filing. The registry and the public page show it once the "
            "health bureau accepts the filing: add the document and submit it when the proposal is complete."
        ),
    )
    return redirect("filing_detail", pk=filing.pk)


def _save_class_group(request, institution, group, form):
    """Save (or, for a filed institution, propose) through the service; on success a redirect
    with the standards warnings as messages, otherwise None (the form holds the errors)."""
    if not form.is_valid():
        return None
    try:
        saved, filing = change_services.class_group_record_change(
            actor=request.user, institution=institution, group=group, values=form.values()
        )
    except (ApplicationError, ValidationError) as error:
        _add_errors(form, error)
        return None
    if saved is not None:
        _show_warnings(request, saved)
    message = _("The class %(name)s was saved.") % {"name": form.cleaned_data["name"]}
    return _after_change(request, institution, filing, message)


@login_required
@require_POST
def class_group_add(request, pk: int):
    institution = selectors.institution_get(actor=request.user, pk=pk)
    _require_keeper(request, institution)
    form = ClassGroupForm(request.POST)
    response = _save_class_group(request, institution, None, form)
    if response is not None:
        return response
    context = {"form": form, "institution": institution, "group": None}
    return render(request, "registry/institutions/class_group_form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def class_group_edit(request, pk: int):
    group = selectors.class_group_get(actor=request.user, pk=pk)
    institution = group.institution
    _require_keeper(request, institution)
    form = ClassGroupForm(request.POST if request.method == "POST" else None, instance=group)
    if request.method == "POST":
        response = _save_class_group(request, institution, group, form)
        if response is not None:
            return response
    context = {"form": form, "institution": institution, "group": group}
    return render(request, "registry/institutions/class_group_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def class_group_delete(request, pk: int):
    group = selectors.class_group_get(actor=request.user, pk=pk)
    institution = group.institution
    _require_keeper(request, institution)
    try:
        filing = change_services.class_group_record_removal(actor=request.user, group=group)
    except ApplicationError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(f"{reverse('institution_detail', args=[institution.pk])}#classes")
    return _after_change(request, institution, filing, _("The class %(name)s was deleted.") % {"name": group.name})


urlpatterns = [
    path("institutions/", institution_list, name="institution_list"),
    path("institutions/export/", institution_export, name="institution_export"),
    path("institutions/choices/", institution_choices, name="institution_choices"),
    path("institutions/<int:pk>/", institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/edit/", institution_edit, name="institution_edit"),
    path("institutions/<int:pk>/classes/", class_group_add, name="class_group_add"),
    path("classes/<int:pk>/edit/", class_group_edit, name="class_group_edit"),
    path("classes/<int:pk>/delete/", class_group_delete, name="class_group_delete"),
]
