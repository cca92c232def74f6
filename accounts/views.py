"""Pages of the accounts app: parse the request, call one selector or service, render."""

import logging
import sys

from django import db
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import api_errors, audit, audit_display, exports, identity, notices, policy, selectors, services
from accounts.errors import ApplicationError
from accounts.forms import (
    ApiTokenIssueForm,
    AuditFilterForm,
    LoginForm,
    MembershipAssignForm,
    NotificationSettingsForm,
    OperatorRoleForm,
    SecurityFilterForm,
)
from accounts.models import Organisation, SecurityEvent

log = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"identity_sign_in": identity.enabled()}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(actor=self.request.user)
        audit.security_event(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=self.request.user, request=self.request)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def locked_out(request, response=None, credentials=None):
    return render(request, "accounts/locked_out.html", status=429)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    context = selectors.home_summary(actor=request.user)
    return render(request, "home.html", context)


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(actor=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page")
    )
    kinds = notices.kinds()
    for notification in page:
        notification.kind_label = "" if notification.kind == notification.GENERAL else kinds.get(notification.kind, "")
    return render(request, "accounts/notifications.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.link if url_has_allowed_host_and_scheme(notification.link, None) else ""
    return HttpResponseRedirect(target or reverse_lazy("notification_list"))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d messages marked as read.") % {"count": count})
    return HttpResponseRedirect(reverse_lazy("notification_list"))


@login_required
def notification_settings(request):
    """The user's own email address (verified by a link) and how messages are emailed."""
    preference = services.notification_preference_of(request.user)
    kinds = notices.kinds()
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                _preference, link_sent = services.notification_preference_update(
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    delivery=form.cleaned_data["delivery"],
                    muted_kinds=form.muted_kinds(),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your email preferences are saved."))
                if link_sent:
                    messages.info(
                        request,
                        _("A link to verify %(email)s has been sent to it. Open it to receive email.")
                        % {"email": form.cleaned_data["email"]},
                    )
                return HttpResponseRedirect(reverse_lazy("notification_settings"))
    else:
        form = NotificationSettingsForm(
            kinds=kinds,
            initial={
                "email": request.user.email,
                "delivery": preference.delivery,
                "emailed_kinds": [kind for kind in kinds if preference.emails_kind(kind)],
            },
        )
    context = {"form": form, "preference": preference, "verified": bool(preference.address())}
    return render(request, "accounts/notification_settings.html", context)


@login_required
@require_POST
def email_verification_resend(request):
    try:
        services.email_verification_resend(actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("A new verification link has been sent to %(email)s.") % {"email": request.user.email})
    return HttpResponseRedirect(reverse_lazy("notification_settings"))


@login_required
def email_verify(request, token: str):
    """The link from the verification mail. It verifies on opening (a GET): it changes only
    the user's own preference, is signed for that user and address, and works once."""
    try:
        services.email_verify(actor=request.user, token=token)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your email address %(email)s is verified.") % {"email": request.user.email})
    return HttpResponseRedirect(reverse_lazy("notification_settings"))


@login_required
def organisation_list(request):
    kind = request.GET.get("kind", "")
    if kind not in Organisation.Kind.values:
        kind = ""
    organisations = selectors.organisation_list(actor=request.user, kind=kind)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/organisation_list.html", {"page": page, "kind": kind, "kinds": Organisation.Kind.choices}
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.organisation_get(actor=request.user, pk=pk)
    members = selectors.organisation_members(actor=request.user, organisation=organisation)
    return render(request, "accounts/organisation_detail.html", {"organisation": organisation, "members": members})


@login_required
def region_detail(request, code: str):
    region = selectors.region_get(actor=request.user, code=code)
    children = selectors.region_children(actor=request.user, region=region)
    organisations = selectors.organisation_list(actor=request.user).filter(jurisdiction=region)
    return render(
        request, "accounts/region_detail.html", {"region": region, "children": children, "organisations": organisations}
    )


def _audit_filtered(request):
    """The audit trail's filter form and the rows it selects (none while it is invalid: a
    filter that does not validate is not silently dropped, which would list rows the other
    filters exclude)."""
    policy.require_duty(request.user, "audit.admin")
    organisations = selectors.operator_lookup_organisations(actor=request.user)
    form = AuditFilterForm(request.GET or None, organisations=organisations)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(actor=request.user, **{k: v for k, v in filters.items() if v})
    if form.is_bound and not form.is_valid():
        events = events.none()
    return form, events


def _security_filtered(request):
    policy.require_duty(request.user, "audit.admin")
    organisations = selectors.operator_lookup_organisations(actor=request.user)
    form = SecurityFilterForm(request.GET or None, organisations=organisations)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.security_event_list(actor=request.user, **{k: v for k, v in filters.items() if v})
    if form.is_bound and not form.is_valid():
        events = events.none()  # as on the audit trail: an invalid filter lists nothing
    return form, events


@login_required
@require_GET
def audit_event_list(request):
    form, events = _audit_filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    names = selectors.usernames_by_id(event.actor_id for event in page)
    rows = audit_display.entries(page, names=names)
    return render(
        request, "accounts/audit_events.html", {"form": form, "page": page, "rows": rows, "query": _query(request)}
    )


@login_required
@require_GET
def audit_event_export(request):
    """The filtered trail as Excel (at most ``exports.MAX_EXPORT_ROWS`` rows, newest first);
    the export itself is a named event of the trail."""
    form, events = _audit_filtered(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("The export was not made: please correct the filters."))
        return HttpResponseRedirect(f"{reverse('audit_event_list')}?{request.GET.urlencode()}")
    events = list(events[: exports.MAX_EXPORT_ROWS])
    names = selectors.usernames_by_id(event.actor_id for event in events)
    services.audit_export_record(actor=request.user, what="audit", filters=_query(request), rows=len(events))
    return exports.audit_events_xlsx(events, names=names)


@login_required
@require_GET
def security_event_list(request):
    form, events = _security_filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [(event, audit_display.local_time(event.at), audit_display.detail_rows(event.detail)) for event in page]
    return render(
        request, "accounts/security_events.html", {"form": form, "page": page, "rows": rows, "query": _query(request)}
    )


@login_required
@require_GET
def security_event_export(request):
    form, events = _security_filtered(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("The export was not made: please correct the filters."))
        return HttpResponseRedirect(f"{reverse('security_event_list')}?{request.GET.urlencode()}")
    events = list(events[: exports.MAX_EXPORT_ROWS])
    services.audit_export_record(actor=request.user, what="security", filters=_query(request), rows=len(events))
    return exports.security_events_xlsx(events)


def _query(request) -> str:
    """The filters of the page, for its export link and pagination (without the page)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def user_choices(request):
    """Accounts matching ``?q=`` for the operators' search-as-you-type fields (at most 20)."""
    results = selectors.user_choices(actor=request.user, text=request.GET.get("q", "").strip()[:64])
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def organisation_choices(request):
    """Organisations matching ``?q=`` for the operators' search-as-you-type fields (at most 20)."""
    results = selectors.organisation_choices(actor=request.user, text=request.GET.get("q", "").strip()[:64])
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_http_methods(["GET", "POST"])
def membership_assign(request):
    """The security administrator's page: put a person in an organisation with a role, or give
    an account an operator role, both found by name as one types."""
    policy.require_duty(request.user, "security.admin")
    users = selectors.operator_lookup_users(actor=request.user)
    organisations = selectors.operator_lookup_organisations(actor=request.user)
    action = request.POST.get("action") if request.method == "POST" else ""
    membership_form = MembershipAssignForm(
        request.POST if action == "membership" else None, users=users, organisations=organisations
    )
    role_form = OperatorRoleForm(request.POST if action == "role" else None, users=users, prefix="role")
    form = membership_form if action == "membership" else role_form if action == "role" else None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "membership":
                services.membership_set(
                    actor=request.user, user=data["user"], organisation=data["organisation"], role=data["role"]
                )
                messages.success(
                    request,
                    _("%(user)s is now a member of %(organisation)s.")
                    % {
                        "user": data["user"].real_name or data["user"].username,
                        "organisation": data["organisation"].name,
                    },
                )
            else:
                services.operator_role_set(actor=request.user, user=data["user"], role=data["operator_role"])
                messages.success(
                    request,
                    _("The operator role of %(user)s is saved.")
                    % {"user": data["user"].real_name or data["user"].username},
                )
            return HttpResponseRedirect(reverse("membership_assign"))
        except ApplicationError as error:
            form.add_error(None, error.message)
    recent = selectors.membership_recent(actor=request.user)
    return render(
        request,
        "accounts/membership_assign.html",
        {"membership_form": membership_form, "role_form": role_form, "recent": recent},
    )


@login_required
def api_token_list(request):
    """The security administrator's token list; a new key is shown once, on the answer to
    the form that issued it, and never again."""
    tokens = selectors.api_token_list(actor=request.user)
    form = ApiTokenIssueForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            user, organisation = selectors.api_token_owner(
                actor=request.user,
                username=form.cleaned_data["username"],
                organisation_code=form.cleaned_data["organisation_code"],
            )
            token, key = services.api_token_issue(
                actor=request.user,
                user=user,
                organisation=organisation,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
            issued = {"user": token.user, "key": key}
            form = ApiTokenIssueForm()
        except ApplicationError as error:
            form.add_error(None, error.message)
    page = Paginator(tokens, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/api_tokens.html", {"page": page, "form": form, "issued": issued})


@login_required
@require_POST
def api_token_revoke(request, user_id: int):
    user = selectors.api_token_user(actor=request.user, user_id=user_id)
    services.api_token_revoke(actor=request.user, user=user)
    messages.success(request, _("The token of %(user)s is revoked.") % {"user": user.username})
    return HttpResponseRedirect(reverse_lazy("api_token_list"))


def error_404(request, exception):
    # An API path that matches no pattern (a negative id, say) answers in the API's error shape.
    if request.path.startswith("/api/"):
        return JsonResponse(api_errors.error_body("not_found", _("Not found.")), status=404)
    return render(request, "404.html", status=404)


def error_403(request, exception):
    return render(request, "403.html", status=403)


def database_unavailable(error) -> bool:
    """The database cannot be reached (down, restarting, a connection cut): a passing outage,
    not a fault of the page."""
    return isinstance(error, (db.OperationalError, db.InterfaceError))


def service_unavailable(request) -> HttpResponse:
    """503 with a Retry-After: a plain Chinese page (rendered without the request, whose context
    would ask the database again), or the API's error shape."""
    if request.path.startswith("/api/"):
        message = _("The service is briefly unavailable: please try again in a minute. Nothing was saved.")
        response = JsonResponse(api_errors.error_body("service_unavailable", message), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def error_500(request):
    error = sys.exc_info()[1]
    if database_unavailable(error):
        log.warning("database unavailable while answering %s: %s", request.path, error)
        return service_unavailable(request)
    return render(request, "500.html", status=500)
