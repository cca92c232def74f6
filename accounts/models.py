"""Tenancy: regions, organisations and their duties, users and memberships; notifications;
the audit trail.

Every model here that holds tenant data gets its queryset through ``visible_to(user)``, which
delegates to ``accounts.policy`` (the one door). Models without it are on the exempt list in
``tests/accounts/test_meta.py`` with a reason.
"""

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.crypto import EncryptedTextField, mask


class ScopedQuerySet(models.QuerySet):
    """A queryset whose ``visible_to`` asks the access policy for this model's rows."""

    def visible_to(self, user):
        from accounts import policy

        return policy.visible(user, self)


class Region(models.Model):
    """A node of the jurisdiction tree. Statistical codes nest by prefix (330281 →
    330281103 → 330281103201), so a subtree is ``code__startswith``."""

    class Level(models.TextChoices):
        CITY = "city", _("County-level city")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village or community")

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        TOWN = "town", _("Town")
        TOWNSHIP = "township", _("Rural township")
        COMMUNITY = "community", _("Community")
        VILLAGE = "village", _("Village")

    LEVEL_OF_KIND = {
        Kind.CITY: Level.CITY,
        Kind.SUBDISTRICT: Level.TOWNSHIP,
        Kind.TOWN: Level.TOWNSHIP,
        Kind.TOWNSHIP: Level.TOWNSHIP,
        Kind.COMMUNITY: Level.VILLAGE,
        Kind.VILLAGE: Level.VILLAGE,
    }

    code = models.CharField(_("statistical code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def contains(self, other: "Region") -> bool:
        return other.code.startswith(self.code)


class Duty(models.Model):
    """A duty from Annex 2 (``filing.review``, ``check.fire`` …). The codes and which
    organisation holds which are data (``accounts/data/``), never hard-coded in views."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    # True for duties a viewer-role member may exercise (reading dashboards); acting duties
    # need the officer or head role.
    read_only = models.BooleanField(_("read-only duty"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self):
        # The name: the title of its admin page and every list read in words (the code is data).
        return self.name


class Organisation(models.Model):
    """The tenant: a department, a township government, an institution, the leading group
    or an operator team. Its ``group`` carries model-level (city-wide) permissions and
    django-guardian object permissions for its members."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leading group")
        DEPARTMENT = "department", _("Department")
        TOWNSHIP = "township", _("Township government")
        INSTITUTION = "institution", _("Care institution")
        OPERATOR = "operator", _("System operator")

    GOVERNMENT_KINDS = (Kind.LEADERSHIP, Kind.DEPARTMENT, Kind.TOWNSHIP)

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    jurisdiction = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("jurisdiction")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("parent")
    )
    duties = models.ManyToManyField(Duty, blank=True, related_name="organisations", verbose_name=_("duties"))
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation", editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def is_government(self) -> bool:
        return self.kind in self.GOVERNMENT_KINDS


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions (django-guardian) on organisations."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class PortalUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Business rights come only from memberships; the operator role
    (system, security or audit administrator) is one field, so nobody can hold two."""

    class OperatorRole(models.TextChoices):
        NONE = "", _("None")
        SYSTEM = "system", _("System administrator")
        SECURITY = "security", _("Security administrator")
        AUDIT = "audit", _("Audit administrator")

    real_name = models.CharField(_("real name"), max_length=64, blank=True)
    mobile = EncryptedTextField(_("mobile"), blank=True, default="")
    must_change_password = models.BooleanField(
        _("must change password"),
        default=True,
        help_text=_("Set for accounts an administrator creates; cleared when the user sets their own password."),
    )
    operator_role = models.CharField(
        _("operator role"), max_length=16, choices=OperatorRole.choices, blank=True, default=""
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.real_name or self.username

    @property
    def mobile_masked(self) -> str:
        return mask(self.mobile, keep_start=3, keep_end=4)


class Membership(models.Model):
    """A user's place in an organisation. Viewers read; officers and heads act."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        OFFICER = "officer", _("Officer")
        HEAD = "head", _("Head")

    ACTING_ROLES = (Role.OFFICER, Role.HEAD)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class Notification(models.Model):
    """One message in a user's in-app inbox. Its ``kind`` is what the recipient's email
    preference is chosen by: ``general`` (accounts' own), or a kind an app declares in its
    ``notification_kinds`` hook (``accounts.notices``); no choices here, so an app adds kinds
    without a migration of accounts."""

    GENERAL = "general"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, default=GENERAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How a user wants their notifications by email. The address is the user's own
    (``User.email``), and mail goes to it only while it is the address verified by the link
    sent to it (``email_verified``): an address changed since, by the user or an
    administrator, gets nothing until verified in turn. ``delivery`` is per message or one
    daily digest; ``muted_kinds`` are the kinds kept to the portal's inbox (a list of what is
    off, so a kind added later is emailed until muted). ``digest_from``: the digest gathers the
    messages created since then (set when the digest is chosen and after each digest)."""

    class Delivery(models.TextChoices):
        OFF = "off", _("No email (messages in the portal only)")
        EACH = "each", _("An email for each message")
        DIGEST = "digest", _("One email a day with all messages")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preference", verbose_name=_("user")
    )
    email_verified = models.EmailField(_("verified email address"), blank=True)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    delivery = models.CharField(_("email delivery"), max_length=8, choices=Delivery.choices, default=Delivery.EACH)
    muted_kinds = models.JSONField(_("kinds not emailed"), default=list, blank=True)
    digest_from = models.DateTimeField(_("digest gathers from"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user} ({self.get_delivery_display()})"

    def address(self) -> str:
        """The address mail may go to now: the user's, once verified; otherwise none."""
        email = self.user.email
        return email if email and email.lower() == self.email_verified.lower() else ""

    def emails_kind(self, kind: str) -> bool:
        return kind not in (self.muted_kinds or [])


class AppendOnlyQuerySet(ScopedQuerySet):
    """Audit rows are never edited; only the pruning service deletes old ones (see audit.py;
    on PostgreSQL a trigger enforces the same rule for every client)."""

    def update(self, **kwargs):
        raise ValidationError(_("Audit records cannot be changed."))

    def delete(self):
        raise ValidationError(_("Audit records cannot be deleted; pruning removes expired ones."))


class AuditEvent(models.Model):
    """One entry of the audit trail of business records.

    ``kind`` is insert / update / delete for row changes written by database triggers (so
    bulk writes, ``.update()`` and raw SQL are caught), or ``action`` for a named business
    event a service records in the same transaction (``filing.accepted``).
    """

    class Kind(models.TextChoices):
        INSERT = "insert", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        ACTION = "action", _("Action")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    event = models.CharField(_("event"), max_length=64, blank=True)
    table_name = models.CharField(_("table"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # A plain integer, not a foreign key: triggers write it and users are never deleted.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True, default="")
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.table_name}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("Audit records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit records cannot be deleted; pruning removes expired ones."))


class SecurityEvent(models.Model):
    """The append-only security log: logins, failures, lock-outs, denials, reveals."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGOUT = "logout", _("Logout")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        PERMISSION_DENIED = "denied", _("Permission denied")
        OUT_OF_SCOPE = "out_of_scope", _("Out-of-scope request")
        REVEAL = "reveal", _("Personal data revealed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        BAN_MATCH = "ban_match", _("Ban-list match")
        SECOND_FACTOR_ENROLLED = "2fa_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
        RECOVERY_CODE_USED = "2fa_recovery", _("Recovery code used")
        IDENTITY_REFUSED = "identity_refused", _("Unified identity sign-in refused")
        DOCUMENT_OPENED = "document_opened", _("Document opened")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    user_id_value = models.BigIntegerField(_("user id"), null=True, blank=True, db_column="user_id")
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True, default="")
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("Audit records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit records cannot be deleted; pruning removes expired ones."))


class ApiTokenDetails(models.Model):
    """What the security administrator knows of one API token (DRF's ``Token``, whose key is
    generated): the system that uses it, the organisation it acts for, when it stops working
    and when it was last used. Kept beside DRF's table so existing tokens keep their keys.

    ``last_used_at`` is written at most once a minute per token (see ``api_auth``), so the
    API does not write a row on every request."""

    DEFAULT_DAYS = 90
    MAX_DAYS = 365

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, primary_key=True, related_name="details", verbose_name=_("token")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("The system that uses the token."))
    # Nullable: an operator account has no organisation, and tokens issued before this model
    # belonged to users who may have none.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organisation")
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token details")
        verbose_name_plural = _("API token details")

    def __str__(self):
        return self.name


class IdentityLink(models.Model):
    """An account's identity at the government's unified identity provider (OpenID Connect):
    the provider (``issuer``) and the person's subject there (``sub``, stable and never
    reassigned). Signing in through the provider reaches only an account linked here, and only
    the security administrator sets a link (in the admin; the audit triggers record it).
    Nothing creates an account, a link or a duty from what the provider says
    (``accounts.identity``)."""

    issuer = models.CharField(_("identity provider (issuer)"), max_length=200)
    subject = models.CharField(_("subject identifier at the provider"), max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_links", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("unified identity link")
        verbose_name_plural = _("unified identity links")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_link_subject_unique"),
            # One identity per account and provider: a second would be a second door to one account.
            models.UniqueConstraint(fields=["issuer", "user"], name="identity_link_user_unique"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.user_id}"
