"""Pages of registrations by the three authorities and the health bureau's unfiled queue:
parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import lists, policy
from accounts.errors import ApplicationError
from registry import rules, selectors
from registry.forms.registrations import RegistrationForm, RevokeForm, add_application_error
from registry.models import Registration
from registry.services import registrations as services

PAGE_SIZE = 50


@login_required
@require_GET
def registration_list(request):
    actor = request.user
    context = lists.page_context(request, lists.spec_get("registrations"), page_size=PAGE_SIZE)
    for registration in context["page"]:
        registration.can_revoke = registration.status == Registration.Status.ACTIVE and (
            rules.can_revoke_registration(actor, registration)
        )
    context |= {
        "can_create": bool(rules.registrable_legal_forms(actor)),
        "can_import": bool(rules.importable_kinds(actor)),
        "can_see_unfiled": policy.has_duty(actor, "filing.review"),
    }
    return render(request, "registry/registrations/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def registration_create(request):
    actor = request.user
    legal_forms = rules.registrable_legal_forms(actor)
    if not legal_forms:
        raise PermissionDenied("registration.create")
    if request.method == "POST":
        # Another authority's legal form is refused outright (403), whatever else is posted.
        services.registration_require_form(actor, request.POST.get("legal_form", ""))
    initial = {"legal_form": legal_forms[0], "registered_on": timezone.localdate()}
    form = RegistrationForm(
        request.POST or None, initial=initial, villages=selectors.village_list(actor=actor), legal_forms=legal_forms
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_record(actor=actor, **form.service_arguments())
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(
                request,
                _("The registration of %(name)s (certificate %(number)s) is recorded.")
                % {"name": registration.institution.name, "number": registration.certificate_number},
            )
            return redirect("registration_list")
    return render(request, "registry/registrations/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def registration_revoke(request, pk: int):
    actor = request.user
    registration = selectors.registration_get(actor=actor, pk=pk)  # out of sight: 404
    if not rules.can_revoke_registration(actor, registration):
        raise PermissionDenied("registration.revoke")  # in sight, not its authority: 403
    form = RevokeForm(request.POST or None, initial={"revoked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_revoke(actor=actor, registration=registration, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(
                request, _("The registration of %(name)s is revoked.") % {"name": registration.institution.name}
            )
            return redirect("registration_list")
    return render(request, "registry/registrations/revoke.html", {"registration": registration, "form": form})


@login_required
@require_GET
def unfiled_list(request):
    context = lists.page_context(request, lists.spec_get("unfiled"))
    today = timezone.localdate()
    for institution in context["page"]:
        institution.days_since_registration = (today - institution.registered_on).days
    context["days"] = selectors.unfiled_alert_days()
    return render(request, "registry/registrations/unfiled.html", context)


urlpatterns = [
    path("registrations/", registration_list, name="registration_list"),
    path("registrations/new/", registration_create, name="registration_create"),
    path("registrations/unfiled/", unfiled_list, name="unfiled_list"),
    path("registrations/<int:pk>/revoke/", registration_revoke, name="registration_revoke"),
]
