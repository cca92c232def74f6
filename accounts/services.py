"""Every write of the accounts app: keyword-only, actor first, in a transaction, audited."""

import csv
import datetime
import json
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts import audit, grants, notices, policy
from accounts.crypto import key_digest
from accounts.errors import ApplicationError
from accounts.models import (
    ApiTokenDetails,
    Duty,
    Membership,
    Notification,
    NotificationPreference,
    Organisation,
    Region,
    User,
)
from paperwork import reminders

DATA_DIR = Path(__file__).resolve().parent / "data"


# --- Reference data ---------------------------------------------------------------------


def _differs(obj, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:  # compare ids: no query per row
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _upsert(model, lookup: dict, values: dict) -> tuple[object, bool]:
    """Create, or update only what differs, so that a re-run writes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj, bool(changed)


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Load regions, duties and the Annex 1/2 organisations from ``accounts/data``.

    Idempotent: rows are matched on their codes and only differences are written."""
    counts = {"regions": 0, "duties": 0, "organisations": 0, "changed": 0}

    with open(DATA_DIR / "yuyao-divisions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {}
    for row in rows:  # parents precede children in the file
        kind = Region.Kind(row["kind"])
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        region, changed = _upsert(
            Region,
            {"code": row["code"]},
            {"name": row["name"], "kind": kind, "level": Region.LEVEL_OF_KIND[kind], "parent": parent},
        )
        by_code[region.code] = region
        counts["regions"] += 1
        counts["changed"] += changed

    duty_data = json.loads((DATA_DIR / "duties.json").read_text(encoding="utf-8"))["duties"]
    duties = {}
    for item in duty_data:
        duty, changed = _upsert(
            Duty,
            {"code": item["code"]},
            {"name": item["name"], "name_en": item["name_en"], "read_only": item.get("read_only", False)},
        )
        duties[duty.code] = (duty, item.get("model_permissions", []))
        counts["duties"] += 1
        counts["changed"] += changed

    org_data = json.loads((DATA_DIR / "organisations.json").read_text(encoding="utf-8"))
    city = by_code[org_data["city"]]
    entries = [dict(item, jurisdiction=city) for item in org_data["organisations"]]
    township_rule = org_data["townships"]
    for region in Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=city.code):
        entries.append(
            {
                "code": f"township-{region.code}",
                "name": region.name + township_rule["name_suffix"][region.kind],
                "name_en": "",
                "kind": Organisation.Kind.TOWNSHIP,
                "jurisdiction": region,
                "duties": township_rule["duties"],
            }
        )
    organisations = {}
    for item in entries:
        organisation = _organisation_upsert(
            code=item["code"],
            name=item["name"],
            name_en=item.get("name_en", ""),
            kind=item["kind"],
            jurisdiction=item["jurisdiction"],
            parent=organisations.get(item.get("parent")),
            duty_codes=item["duties"],
            duties=duties,
            counts=counts,
        )
        organisations[organisation.code] = organisation
        counts["organisations"] += 1
    return counts


def _organisation_upsert(*, code, name, name_en, kind, jurisdiction, parent, duty_codes, duties, counts):
    unknown = set(duty_codes) - set(duties)
    if unknown:
        raise ApplicationError(f"organisation {code} names unknown duties: {sorted(unknown)}")
    group, created = Group.objects.get_or_create(name=f"org:{code}")
    counts["changed"] += created
    organisation, changed = _upsert(
        Organisation,
        {"code": code},
        {
            "name": name,
            "name_en": name_en,
            "kind": kind,
            "jurisdiction": jurisdiction,
            "parent": parent,
            "group": group,
        },
    )
    counts["changed"] += changed
    wanted = {duties[c][0].pk for c in duty_codes}
    if set(organisation.duties.values_list("pk", flat=True)) != wanted:
        organisation.duties.set(wanted)
        counts["changed"] += 1
    perms = sorted({perm for c in duty_codes for perm in duties[c][1]})
    current = sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    )
    if current != perms:
        grants.grant_model_permissions(organisation=organisation, perms=perms)
        counts["changed"] += 1
    return organisation


def reference_data_load_all() -> dict[str, int]:
    """The accounts reference data, then each app's own (named on its AppConfig as
    ``reference_data_loader``: accounts never imports the apps that build on it)."""
    from accounts.hooks import call_app_hooks

    return {**reference_data_load(), **call_app_hooks("reference_data_loader")}


@transaction.atomic
def institution_organisation_create(*, actor, code: str, name: str, village: Region) -> Organisation:
    """The tenant of a care institution in a village, visible to the township around it."""
    if village.level != Region.Level.VILLAGE:
        raise ApplicationError(_("An institution belongs to a village or community."))
    org_data = json.loads((DATA_DIR / "organisations.json").read_text(encoding="utf-8"))
    duty_codes = org_data["institutions"]["duties"]
    group, _created = Group.objects.get_or_create(name=f"org:{code}")
    organisation = Organisation.objects.create(
        code=code, name=name, kind=Organisation.Kind.INSTITUTION, jurisdiction=village, group=group
    )
    organisation.duties.set(Duty.objects.filter(code__in=duty_codes))
    township = Organisation.objects.get(kind=Organisation.Kind.TOWNSHIP, jurisdiction=village.parent)
    grants.grant(organisation=township, perm="accounts.view_organisation", obj=organisation)
    audit.record(actor=actor, event="organisation.created", obj=organisation, details={"township": township.code})
    return organisation


# --- Users, memberships, operator roles -------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    real_name: str,
    password: str,
    mobile: str = "",
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """A new account. Administrators create accounts with a one-time password the user must change."""
    if actor is not None:
        policy.require_duty(actor, "system.admin")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("The user name %(name)s is taken.") % {"name": username}, fields={"username": [_("Taken.")]}
        )
    user = User(
        username=username, real_name=real_name, mobile=mobile, email=email, must_change_password=must_change_password
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor=actor, event="user.created", obj=user)
    return user


@transaction.atomic
def membership_set(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    """Put a user in an organisation with a role (the security administrator's grant)."""
    if actor is not None:
        policy.require_duty(actor, "security.admin")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.operator_role:
        raise ApplicationError(_("An operator cannot be a member of an organisation: operators decide no business."))
    if organisation.kind == Organisation.Kind.OPERATOR:
        raise ApplicationError(_("Operator roles are not memberships."))
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    user.groups.add(organisation.group)
    audit.record(actor=actor, event="membership.set", obj=membership, details={"role": role})
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    if actor is not None:
        policy.require_duty(actor, "security.admin")
    membership.user.groups.remove(membership.organisation.group)
    audit.record(actor=actor, event="membership.removed", obj=membership)
    membership.delete()


@transaction.atomic
def operator_role_set(*, actor, user: User, role: str) -> User:
    """Give a user one operator role. One field holds it, so nobody holds two; an operator is
    a member of no organisation; nobody changes their own role."""
    if actor is not None:
        policy.require_duty(actor, "security.admin")
        if actor.pk == user.pk:
            raise ApplicationError(_("Nobody may change their own operator role."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if role not in User.OperatorRole.values:
        raise ApplicationError(_("Unknown operator role."))
    if role and user.operator_role and user.operator_role != role:
        raise ApplicationError(
            _("%(user)s already holds the role %(role)s; the three operator roles are kept apart.")
            % {"user": user, "role": user.get_operator_role_display()}
        )
    if role and user.memberships.exists():
        raise ApplicationError(_("A member of an organisation cannot be an operator: operators decide no business."))
    user.operator_role = role
    user.is_staff = role in (User.OperatorRole.SYSTEM, User.OperatorRole.SECURITY)
    user.save(update_fields=["operator_role", "is_staff"])
    audit.record(actor=actor, event="user.operator_role_set", obj=user, details={"role": role})
    return user


@transaction.atomic
def password_changed(*, actor: User) -> None:
    """The user set their own password: the first-login obligation is met."""
    User.objects.filter(pk=actor.pk, must_change_password=True).update(must_change_password=False)
    actor.must_change_password = False


# --- Notifications ----------------------------------------------------------------------


@transaction.atomic
def notification_send(
    *, recipient: User, title: str, body: str = "", link: str = "", kind: str = Notification.GENERAL
) -> Notification:
    """An inbox message; emailed at once when the recipient's verified address takes each
    message of this kind (a digest gathers it later; ``notification_email_task`` checks again)."""
    notification = Notification.objects.create(recipient=recipient, title=title, body=body, link=link, kind=kind)
    preference = NotificationPreference.objects.filter(user=recipient).first()
    if (
        preference is not None
        and preference.delivery == NotificationPreference.Delivery.EACH
        and preference.emails_kind(kind)
        and recipient.email
        and recipient.email.lower() == preference.email_verified.lower()
    ):
        from accounts.tasks import notification_email_task

        # robust: a broker that is away must not fail the change that sent the message (the inbox
        # keeps it; only its e-mail copy is lost).
        transaction.on_commit(lambda: notification_email_task.delay(notification.pk), robust=True)
    return notification


def notify_organisation(
    *, organisation_id: int, title: str, body: str = "", link: str = "", kind: str = Notification.GENERAL
) -> None:
    """Every acting member (officer or head) of the organisation gets an inbox message."""
    users = User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__role__in=Membership.ACTING_ROLES, is_active=True
    ).distinct()
    for user in users:
        notification_send(recipient=user, title=title, body=body, link=link, kind=kind)


def notify_duty_holders(
    *,
    duty: str,
    title: str,
    body: str = "",
    link: str = "",
    township_code: str | None = None,
    kind: str = Notification.GENERAL,
):
    """Acting members of organisations holding ``duty`` (optionally: only the township)."""
    organisations = Organisation.objects.filter(duties__code=duty, is_active=True)
    if township_code is not None:
        organisations = organisations.filter(jurisdiction__code=township_code)
    for organisation_id in organisations.values_list("pk", flat=True):
        notify_organisation(organisation_id=organisation_id, title=title, body=body, link=link, kind=kind)


# --- Email preferences and the verified address ----------------------------------------


def notification_preference_of(user: User) -> NotificationPreference:
    """The user's preference, unsaved with the defaults while they have chosen nothing."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


@transaction.atomic
def notification_preference_update(
    *, actor: User, email: str, delivery: str, muted_kinds: list[str]
) -> tuple[NotificationPreference, bool]:
    """The user's own address and how their messages are emailed; (preference, whether a
    verification link was sent). A new address is not mailed until its link is opened; an
    address already verified stays verified."""
    if delivery not in NotificationPreference.Delivery.values:
        raise ApplicationError(_("Unknown email delivery."), fields={"delivery": [_("Choose one of the options.")]})
    known = notices.kinds()
    unknown = [kind for kind in muted_kinds if kind not in known]
    if unknown:
        raise ApplicationError(_("Unknown kind of message."), fields={"muted_kinds": [_("Choose among the kinds.")]})
    user = User.objects.select_for_update().get(pk=actor.pk)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    email = email.strip()
    changed = email.lower() != (user.email or "").lower()
    if changed:
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ApplicationError(
                    _("This is not a valid email address."), fields={"email": [_("This is not a valid email address.")]}
                ) from None
        user.email = email
        user.save(update_fields=["email"])
        actor.email = email
    if delivery == NotificationPreference.Delivery.DIGEST and preference.delivery != delivery:
        preference.digest_from = timezone.now()  # a digest gathers from the day it is chosen
    preference.delivery = delivery
    preference.muted_kinds = sorted(set(muted_kinds))
    preference.full_clean()
    preference.save()
    audit.record(
        actor=actor,
        event="notification_preference.updated",
        obj=preference,
        details={"delivery": delivery, "muted_kinds": preference.muted_kinds, "email_changed": changed},
    )
    send = bool(email) and email.lower() != preference.email_verified.lower()
    if changed and send:
        _verification_send_on_commit(user.pk)
    return preference, changed and send


@transaction.atomic
def email_verification_resend(*, actor: User) -> None:
    """Send the verification link again to the user's current, unverified address."""
    preference = notification_preference_of(actor)
    if not actor.email:
        raise ApplicationError(_("Enter an email address first."))
    if preference.address():
        raise ApplicationError(_("This address is already verified."))
    audit.record(actor=actor, event="email.verification_sent", obj=actor)
    _verification_send_on_commit(actor.pk)


def _verification_send_on_commit(user_id: int) -> None:
    from accounts.tasks import email_verification_task

    transaction.on_commit(lambda: email_verification_task.delay(user_id))


@transaction.atomic
def email_verify(*, actor: User, token: str) -> NotificationPreference:
    """Open the link: the address it names becomes the verified one, if it is still the
    user's address and not verified already (a link works once)."""
    found = notices.verification_read(token)
    if found is None or found[0] != actor.pk:
        raise ApplicationError(_("This verification link is not valid or has expired. Ask for a new one."))
    user = User.objects.select_for_update().get(pk=actor.pk)
    email = found[1]
    if (user.email or "").lower() != email:
        raise ApplicationError(_("This link is for an address that is no longer on your account."))
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    if preference.email_verified.lower() == email:
        raise ApplicationError(_("This link has been used: the address is already verified."))
    preference.email_verified, preference.email_verified_at = user.email, timezone.now()
    preference.save(update_fields=["email_verified", "email_verified_at"])
    audit.record(actor=actor, event="email.verified", obj=preference)
    return preference


def notification_digest_send(*, user_id: int, today: datetime.date | None = None) -> int:
    """One email with the user's messages since the last digest; returns how many it held.
    Once a day: claimed in the reminder ledger under ``digest:<user>:<day>`` in the same
    transaction that marks the messages emailed, so a task run twice sends one mail. The mail
    is sent inside that transaction: a failed send leaves everything as it was, to retry."""
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update().select_related("user").filter(user_id=user_id).first()
        )
        if preference is None or preference.delivery != NotificationPreference.Delivery.DIGEST:
            return 0
        address = preference.address()
        if not address or not preference.user.is_active:
            return 0
        pending = Notification.objects.filter(recipient_id=user_id, emailed_at__isnull=True).exclude(
            kind__in=preference.muted_kinds or []
        )
        if preference.digest_from is not None:
            pending = pending.filter(created_at__gte=preference.digest_from)
        notifications = list(pending.order_by("created_at", "id"))
        if not notifications or not reminders.claim(f"digest:{user_id}:{today.isoformat()}"):
            return 0
        subject, body = notices.digest_message(notifications)
        send_mail(subject, body, None, [address])
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        preference.digest_from = now
        preference.save(update_fields=["digest_from"])
    return len(notifications)


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ApplicationError(_("This message is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- API tokens -------------------------------------------------------------------------

# The last-used time is a hint for the security administrator, not a log: written at most
# once a minute per token so the API does not write a row on every request.
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def api_token_mark_used(*, details: ApiTokenDetails, now) -> None:
    """Record that a token was used (no actor: the token's own request). A conditional
    update, so two concurrent requests write once."""
    if details.last_used_at and details.last_used_at > now - TOKEN_USE_RESOLUTION:
        return
    ApiTokenDetails.objects.filter(pk=details.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_USE_RESOLUTION)
    ).update(last_used_at=now)
    details.last_used_at = now


def api_token_new(*, user: User) -> tuple[Token, str]:
    """A new token row for ``user`` and its key. The row keeps only the key's hash
    (``api_auth.key_digest``); the key is returned to be shown once and is then gone."""
    key = Token.generate_key()
    return Token.objects.create(user=user, key=key_digest(key)), key


@transaction.atomic
def api_token_issue(
    *, actor, user: User, organisation: Organisation | None, name: str, days: int = ApiTokenDetails.DEFAULT_DAYS
) -> tuple[Token, str]:
    """Issue a token for another department's system: the token and its key, which the caller
    shows once (only its hash is stored). The organisation must be one of the user's own."""
    policy.require_duty(actor, "security.admin")
    if not 1 <= days <= ApiTokenDetails.MAX_DAYS:
        raise ApplicationError(_("A token is valid for 1 to %(days)d days.") % {"days": ApiTokenDetails.MAX_DAYS})
    if organisation is not None and not user.memberships.filter(organisation=organisation).exists():
        raise ApplicationError(_("The organisation must be one of the user's own."))
    if Token.objects.filter(user=user).exists():
        raise ApplicationError(_("%(user)s already has a token; revoke it first.") % {"user": user})
    token, key = api_token_new(user=user)
    details = ApiTokenDetails.objects.create(
        token=token, name=name, organisation=organisation, expires_at=timezone.now() + datetime.timedelta(days=days)
    )
    audit.record(actor=actor, event="api_token.issued", obj=details, details={"user": user.pk, "name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, user: User) -> None:
    """Revoke a user's token (DRF keeps one per user): it answers 401 from now on."""
    policy.require_duty(actor, "security.admin")
    token = Token.objects.filter(user=user).first()
    if token is None:
        raise ApplicationError(_("This account has no token."))
    audit.record(actor=actor, event="api_token.revoked", obj=user, details={"user": user.pk})
    token.delete()


@transaction.atomic
def audit_export_record(*, actor, what: str, filters: str, rows: int) -> None:
    """An export of the audit trail or the security log is itself on the trail: who took which
    range (the filters as the page's query) and how many rows."""
    policy.require_duty(actor, "audit.admin")
    audit.record(actor=actor, event=f"{what}_log.exported", details={"filters": filters[:500], "rows": rows})
