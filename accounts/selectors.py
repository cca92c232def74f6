"""Reads of the accounts app that leave it: keyword-only, actor required, scoped by the policy."""

from django.db.models import Count, Q, QuerySet

from accounts import policy
from accounts.models import (
    AuditEvent,
    Membership,
    Notification,
    NotificationPreference,
    Organisation,
    Region,
    SecurityEvent,
    User,
)


def region_code_known(*, code: str, levels: tuple[str, ...] = ()) -> bool:
    """Does ``code`` name a region (of one of ``levels``)? The region tree is public reference
    data (the statistical division codes), so this asks no actor: filters use it to refuse a
    code that names nothing, while a region out of sight simply filters to nothing."""
    queryset = Region.objects.filter(code=code)
    if levels:
        queryset = queryset.filter(level__in=levels)
    return queryset.exists()


def region_list(*, actor: User) -> QuerySet:
    return Region.objects.visible_to(actor).select_related("parent")


def region_get(*, actor: User, code: str) -> Region:
    return policy.get_visible_or_404(actor, Region.objects.select_related("parent"), code=code)


def region_children(*, actor: User, region: Region) -> QuerySet:
    return Region.objects.visible_to(actor).filter(parent=region)


def organisation_list(*, actor: User, kind: str = "") -> QuerySet:
    queryset = Organisation.objects.visible_to(actor).select_related("jurisdiction", "parent")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("kind", "code")


def organisation_get(*, actor: User, pk: int) -> Organisation:
    queryset = Organisation.objects.select_related("jurisdiction", "parent").prefetch_related("duties")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def organisation_members(*, actor: User, organisation: Organisation) -> QuerySet:
    """Members are shown to colleagues in the same organisation only."""
    own = {org.pk for org in policy.organisations_of(actor)}
    if organisation.pk not in own:
        return organisation.memberships.none()
    return organisation.memberships.select_related("user").order_by("role", "user__username")


def notification_list(*, actor: User, unread_only: bool = False) -> QuerySet:
    queryset = Notification.objects.visible_to(actor)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def notification_get(*, actor: User, pk: int) -> Notification:
    return policy.get_visible_or_404(actor, Notification.objects.all(), pk=pk)


def notification_unread_count(*, actor: User) -> int:
    return Notification.objects.visible_to(actor).filter(read_at__isnull=True).count()


def notification_lock(*, notification_id: int) -> Notification | None:
    """A notification and its recipient, locked until the caller's transaction ends (the e-mail
    task marks it sent in that transaction); ``None`` once it is gone. Not scoped: the task acts
    for the recipient, whom the notification names."""
    return Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()


def user_for_mail(*, user_id: int) -> User | None:
    """An active user, for a task that mails them about their own account (not scoped: the
    task acts for that user)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def digest_recipient_ids() -> list[int]:
    """Users who chose the daily digest and whose address is verified (whether it is still
    the user's address is checked again when the digest is made)."""
    return list(
        NotificationPreference.objects.filter(delivery=NotificationPreference.Delivery.DIGEST, user__is_active=True)
        .exclude(email_verified="")
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _people(*, person: str = "", organisation=None) -> QuerySet:
    """Ids of the users a trail filter names: by part of the name or user name, and/or as
    members of one organisation (a subquery: the trail is filtered in one query)."""
    users = User.objects.all()
    if person:
        users = users.filter(Q(real_name__icontains=person) | Q(username__icontains=person))
    if organisation is not None:
        users = users.filter(memberships__organisation=organisation)
    return users.values("pk")


def audit_event_list(
    *,
    actor: User,
    table: str = "",
    kind: str = "",
    actor_id: str = "",
    person: str = "",
    organisation=None,
    since=None,
    until=None,
    text: str = "",
) -> QuerySet:
    """The audit trail, newest first; ``since``/``until`` are days of the portal's time zone."""
    queryset = AuditEvent.objects.visible_to(actor)
    if table:
        queryset = queryset.filter(table_name=table)
    if kind:
        queryset = queryset.filter(kind=kind)
    if actor_id:
        queryset = queryset.filter(actor_id=actor_id)
    if person or organisation is not None:
        queryset = queryset.filter(actor_id__in=_people(person=person, organisation=organisation))
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    if text:
        queryset = queryset.filter(Q(event__icontains=text) | Q(object_id=text))
    return queryset


def security_event_list(
    *,
    actor: User,
    kind: str = "",
    username: str = "",
    person: str = "",
    organisation=None,
    ip: str = "",
    since=None,
    until=None,
) -> QuerySet:
    queryset = SecurityEvent.objects.visible_to(actor)
    if kind:
        queryset = queryset.filter(kind=kind)
    if username:
        queryset = queryset.filter(username__icontains=username)
    if person:
        # A failed login names no user: its typed user name is matched as well.
        queryset = queryset.filter(Q(username__icontains=person) | Q(user_id_value__in=_people(person=person)))
    if organisation is not None:
        queryset = queryset.filter(user_id_value__in=_people(organisation=organisation))
    if ip:
        queryset = queryset.filter(ip=ip)
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def operator_lookup_users(*, actor: User) -> QuerySet:
    """The accounts an operator looks up by name: the security administrator to grant
    memberships and roles, the audit administrator to filter the trail (policy rule 8)."""
    return policy.users_for_operator_lookup(actor)


def operator_lookup_organisations(*, actor: User) -> QuerySet:
    """The organisations an operator looks up by name (memberships, trail filters)."""
    return policy.organisations_for_operator_lookup(actor)


def user_choices(*, actor: User, text: str = "") -> list[dict]:
    """At most 20 accounts whose name or user name contains ``text``, for a search-as-you-type
    field; each with its organisations (one query for the lot)."""
    users = operator_lookup_users(actor=actor).filter(is_active=True)
    if text:
        users = users.filter(Q(real_name__icontains=text) | Q(username__icontains=text))
    users = list(users.order_by("username").prefetch_related("memberships__organisation")[:20])
    return [
        {
            "id": user.pk,
            "name": f"{user.real_name or user.username}（{user.username}）",
            "township": "、".join(m.organisation.name for m in user.memberships.all())
            or (user.get_operator_role_display() if user.operator_role else ""),
        }
        for user in users
    ]


def organisation_choices(*, actor: User, text: str = "") -> list[dict]:
    """At most 20 organisations whose name or code contains ``text``, with their kind."""
    organisations = operator_lookup_organisations(actor=actor)
    if text:
        organisations = organisations.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return [
        {"id": org.pk, "name": org.name, "township": org.get_kind_display()}
        for org in organisations.order_by("kind", "name")[:20]
    ]


def usernames_by_id(ids) -> dict[int, str]:
    """Names of the actors on one page of the audit trail, in one query."""
    return {
        pk: (real_name or username)
        for pk, username, real_name in User.objects.filter(pk__in={i for i in ids if i}).values_list(
            "pk", "username", "real_name"
        )
    }


def home_summary(*, actor: User) -> dict:
    """What the home page shows: the user's organisations and duties, and their work queue.

    Work queues are filled by later parts of the portal (filings to review, reviews to
    decide…); until then the queue is empty and says so."""
    organisations = policy.organisations_of(actor)
    territory = None
    townships = [org for org in organisations if org.kind == Organisation.Kind.TOWNSHIP]
    if townships:
        territory = Region.objects.filter(pk__in=[org.jurisdiction_id for org in townships]).annotate(
            villages=Count("children", filter=Q(children__kind=Region.Kind.VILLAGE)),
            communities=Count("children", filter=Q(children__kind=Region.Kind.COMMUNITY)),
        )
    return {
        "organisations": organisations,
        "duties": _exercisable_duties(actor),
        "territory": territory,
        "queue": operator_tools(actor=actor) if actor.operator_role else work_queue(actor=actor),
    }


def _exercisable_duties(actor: User) -> list:
    """The duties the user may exercise, as Duty rows (already loaded with the memberships)."""
    codes = policy.duties(actor)
    by_code = {duty.code: duty for org in policy.organisations_of(actor) for duty in org.duties.all()}
    return [by_code[code] for code in sorted(codes) if code in by_code]


def operator_tools(*, actor: User) -> list[dict]:
    """An operator's home shows the tools of their one role (they have no business queue)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    tools = {
        User.OperatorRole.SYSTEM: [
            (_("Accounts"), reverse("admin:accounts_user_changelist")),
            (_("Organisations and duties"), reverse("admin:accounts_organisation_changelist")),
            (_("Regions"), reverse("admin:accounts_region_changelist")),
        ],
        User.OperatorRole.SECURITY: [
            (_("Memberships and roles"), reverse("membership_assign")),
            (_("Locked-out logins"), reverse("admin:axes_accessattempt_changelist")),
            (_("API tokens"), reverse("api_token_list")),
            (_("Accounts"), reverse("admin:accounts_user_changelist")),
        ],
        User.OperatorRole.AUDIT: [
            (_("Audit trail"), reverse("audit_event_list")),
            (_("Security log"), reverse("security_event_list")),
        ],
    }
    return [{"title": title, "url": url} for title, url in tools.get(actor.operator_role, [])]


def work_queue(*, actor: User) -> list[dict]:
    """Items waiting for the user, gathered from each app's ``work_queue`` function (named on
    its AppConfig; accounts never imports the apps that build on it). Each item is a dict
    with ``title``, ``url`` and optionally ``count``, ``urgent`` and ``subset`` (its count is
    part of another item's on the same page). The menu's counts are taken from it."""
    from accounts.hooks import call_app_hooks
    from accounts.navigation import remember_counts

    queue = [item for items in call_app_hooks("work_queue", actor=actor).values() for item in items]
    remember_counts(user=actor, queue=queue)
    return queue


def api_token_list(*, actor: User) -> QuerySet:
    """Every API token with what the security administrator may know of it (never the key)."""
    from rest_framework.authtoken.models import Token

    policy.require_duty(actor, "security.admin")
    return Token.objects.select_related("user", "details__organisation").order_by("-created")


def api_token_owner(*, actor: User, username: str, organisation_code: str = ""):
    """The user and organisation a new token is issued to, or ApplicationError."""
    from django.utils.translation import gettext as _

    from accounts.errors import ApplicationError

    policy.require_duty(actor, "security.admin")
    user = policy.users_visible_to(actor).filter(username=username, is_active=True).first()
    if user is None:
        raise ApplicationError(_("No active account with this user name."))
    # Without a code the token acts for the user's first organisation (none for an operator).
    first = user.memberships.select_related("organisation").order_by("pk").first()
    organisation = first.organisation if first else None
    if organisation_code:
        organisation = Organisation.objects.filter(code=organisation_code).first()
        if organisation is None:
            raise ApplicationError(_("No organisation with this code."))
    return user, organisation


def api_token_user(*, actor: User, user_id: int) -> User:
    from django.shortcuts import get_object_or_404

    policy.require_duty(actor, "security.admin")
    return get_object_or_404(policy.users_visible_to(actor), pk=user_id, auth_token__isnull=False)


def membership_recent(*, actor: User, limit: int = 20) -> list:
    """The latest memberships, for the security administrator's page (one query)."""
    policy.require_duty(actor, "security.admin")
    return list(
        Membership.objects.visible_to(actor)
        .select_related("user", "organisation")
        .order_by("-created_at", "-pk")[:limit]
    )
