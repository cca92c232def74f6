from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from accounts import policy, services
from accounts.crypto import key_digest
from accounts.models import Duty, IdentityLink, Membership, Organisation, Region, User


def yes_no(field: str, description):
    """A list column for a flag in words (是 / 否): Django's own icon says "True" or "False" to
    a screen reader in every language."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return _("Yes") if getattr(obj, field) else _("No")

    column.__name__ = f"{field}_in_words"
    return column


def code_column(field: str, description):
    """A list column for a code, shown as a code."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return format_html("<code>{}</code>", getattr(obj, field))

    column.__name__ = f"{field}_as_code"
    return column


class DutyGatedAdmin(admin.ModelAdmin):
    """Every admin page is open only to the operator duties named here (the access policy),
    never to Django's own model permissions."""

    admin_duties: set[str] = {"system.admin"}
    can_add = True
    can_delete = False

    def _allowed(self, request) -> bool:
        return policy.has_any_duty(request.user, self.admin_duties)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self.can_add and self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and self._allowed(request)


@admin.register(Region)
class RegionAdmin(DutyGatedAdmin):
    list_display = ["code", "name", "kind", "level", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


@admin.register(Duty)
class DutyAdmin(DutyGatedAdmin):
    # The English name is edited on the form; the Chinese list shows the duty by its name.
    list_display = ["name", code_column("code", _("code")), yes_no("read_only", _("read-only duty"))]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(DutyGatedAdmin):
    list_display = ["name", code_column("code", _("code")), "kind", "jurisdiction", yes_no("is_active", _("active"))]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["jurisdiction"]
    raw_id_fields = ["jurisdiction", "parent"]
    filter_horizontal = ["duties"]
    can_add = False  # tenants come from the reference data or from services

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "duties":
            field.label_from_instance = lambda duty: duty.name  # the code is not a word
        return field


class PortalAdminPasswordChangeForm(AdminPasswordChangeForm):
    """Django's form, with its warning translated (Django adds it as an untranslated string)."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


@admin.register(User)
class UserAdmin(DutyGatedAdmin, DjangoUserAdmin):
    admin_duties = {"system.admin", "security.admin"}
    list_display = [
        "username",
        "real_name",
        "operator_role",
        yes_no("is_active", _("active")),
        yes_no("must_change_password", _("must change password")),
        "last_login",
    ]
    change_password_form = PortalAdminPasswordChangeForm
    list_filter = ["operator_role", "is_active", "must_change_password"]
    search_fields = ["username", "real_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["real_name", "email", "mobile"]}),
        (_("Access"), {"fields": ["is_active", "must_change_password", "operator_role"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "real_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined", "operator_role"]

    def has_add_permission(self, request):
        return policy.has_duty(request.user, "system.admin")


@admin.register(Membership)
class MembershipAdmin(DutyGatedAdmin):
    admin_duties = {"security.admin"}
    can_delete = True
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__real_name", "organisation__name"]
    list_select_related = ["user", "organisation"]

    class Media:
        # Person and organisation are found by typing part of a name (static/js/pickers.js),
        # as on the portal's own memberships page: no id to know, no look-up the role may not open.
        css = {"all": ["vendor/tom-select/css/tom-select.bootstrap5.min.css"]}
        js = ["vendor/tom-select/js/tom-select.complete.min.js", "js/pickers.js"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from accounts import selectors
        from accounts.forms import organisation_field, user_field

        if db_field.name == "user":
            return user_field(label=db_field.verbose_name, queryset=selectors.operator_lookup_users(actor=request.user))
        if db_field.name == "organisation":
            return organisation_field(
                label=db_field.verbose_name, queryset=selectors.operator_lookup_organisations(actor=request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = services.membership_set(actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.membership_remove(actor=request.user, membership=obj)


class SecurityAdminOnly(DutyGatedAdmin):
    admin_duties = {"security.admin"}
    can_add = False
    can_delete = True

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)
for model in (AccessAttempt, AccessLog, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SecurityAdminOnly):
    """Deleting a row lifts a lock-out early."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]


@admin.register(TokenProxy)
class TokenAdmin(DutyGatedAdmin, DRFTokenAdmin):
    """API tokens for the systems of other departments (issued to a named account). The key is
    generated when a token is issued and never typed (a typed "1" would be guessed at once):
    the form asks only for the user. The key is shown once, in the message after saving; the
    table keeps only its hash (``accounts.crypto.key_digest``). A token is never changed;
    revoke it and issue another."""

    list_display = ["user", "created"]
    fields = ["user"]
    raw_id_fields = ["user"]
    autocomplete_fields = []
    can_delete = True

    def get_fields(self, request, obj=None):
        return ["user"] if obj is None else ["user", "key", "created"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "key", "created"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = Token.generate_key()
        obj.key = key_digest(key)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("New token for %(user)s. Copy the key now: it is not shown again. %(key)s")
            % {"user": obj.user.username, "key": key},
        )


@admin.register(IdentityLink)
class IdentityLinkAdmin(DutyGatedAdmin):
    """Which unified identity (issuer and subject) signs in as which account: set by the
    security administrator only, one per account and provider; every change is in the audit
    trail (the table's triggers). A link grants no duty: the account's memberships do."""

    admin_duties = {"security.admin"}
    can_delete = True
    list_display = ["subject", "user", "issuer", "created_at"]
    search_fields = ["subject", "user__username", "user__real_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["issuer", "subject", "user"]

    def get_changeform_initial_data(self, request):
        return {"issuer": settings.OIDC_ISSUER or ""} | super().get_changeform_initial_data(request)
