"""The roster: an institution's own officers add, change and end the employment of staff.

Adding a person asks every app's ``person_screen`` hook first (the lifetime ban list, kept by
the annual-review app): a match blocks the addition and tells the user only whom to contact.
Someone already active at another institution is added but flagged to the health bureau; the
institution is not told where else they work."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, idnumbers, policy
from accounts.crypto import keyed_hash
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from accounts.models import SecurityEvent
from accounts.services import notify_duty_holders
from registry.models import ClassGroup, Institution
from training import rules
from training.models import StaffMember

# Fields an officer may change after creation (the ID number is fixed: a wrong one means the
# record is ended and the person added again, so that the ban check is never bypassed).
EDITABLE_FIELDS = (
    "name",
    "gender",
    "role",
    "education",
    "class_group",
    "hired_on",
    "health_certificate_expires",
    "background_checked_on",
)


def id_number_error(value: str) -> str | None:
    """The message (in the user's language) for an invalid ID number, or None."""
    return idnumbers.id_number_error(value)


def require_roster_keeper(actor, institution: Institution) -> None:
    if not rules.may_keep_roster(actor, institution):
        raise PermissionDenied(rules.SELF_DUTY)


def is_barred(*, actor, id_number: str, request=None, institution: Institution | None = None) -> bool:
    """Ask every screening hook (the ban list) about a hire at ``institution``; any True blocks
    the person."""
    answers = call_app_hooks(
        "person_screen", actor=actor, id_number=id_number, request=request, institution=institution
    )
    return any(answers.values())


def _check_class_group(institution: Institution, class_group: ClassGroup | None) -> None:
    if class_group is not None and class_group.institution_id != institution.pk:
        raise ApplicationError(
            _("Choose one of this institution's classes."),
            fields={"class_group": [_("Not a class of this institution.")]},
        )


def _check_dates(hired_on: date, left_on: date | None = None) -> None:
    if hired_on > timezone.localdate():
        raise ApplicationError(
            _("The hiring date cannot be in the future."), fields={"hired_on": [_("In the future.")]}
        )
    if left_on is not None and left_on < hired_on:
        raise ApplicationError(
            _("The leaving date cannot be before the hiring date."), fields={"left_on": [_("Before the hiring date.")]}
        )


def employed_elsewhere(*, id_hash: str, institution_id: int, day: date | None = None) -> bool:
    day = day or timezone.localdate()
    return (
        StaffMember.objects.filter(StaffMember.active_q(day), id_hash=id_hash)
        .exclude(institution_id=institution_id)
        .exists()
    )


def staff_screen(*, actor, institution: Institution, id_number: str, request=None) -> str:
    """The checks before a person joins a roster: the actor keeps this roster, the ID number is
    valid and the person is not barred. Returns the normalised number. Call it outside any
    transaction: a ban-list match is logged (BAN_MATCH) and the log must outlive the refusal."""
    require_roster_keeper(actor, institution)
    number = idnumbers.normalise(id_number)
    error = id_number_error(number)
    if error:
        raise ApplicationError(error, fields={"id_number": [error]})
    if is_barred(actor=actor, id_number=number, request=request, institution=institution):
        # The details of the entry are never shown to the institution.
        message = _(
            "This person cannot be added to the staff. Please contact the Yuyao Health Bureau "
            "(市卫生健康局) about this person before going further."
        )
        raise ApplicationError(message, fields={"id_number": [message]})
    return number


def staff_create(
    *,
    actor,
    institution: Institution,
    name: str,
    id_number: str,
    gender: str,
    role: str,
    education: str,
    hired_on: date,
    class_group: ClassGroup | None = None,
    health_certificate_expires: date | None = None,
    background_checked_on: date | None = None,
    request=None,
) -> StaffMember:
    number = staff_screen(actor=actor, institution=institution, id_number=id_number, request=request)
    # The screening above runs outside the transaction below: its BAN_MATCH security event
    # must outlive the refusal (an atomic block would roll it back with the raise).
    with transaction.atomic():
        _check_class_group(institution, class_group)
        _check_dates(hired_on)
        digest = keyed_hash(number)
        if StaffMember.objects.filter(
            StaffMember.active_q(timezone.localdate()), institution=institution, id_hash=digest
        ).exists():
            raise ApplicationError(
                _("This person is already on the staff of this institution."),
                fields={"id_number": [_("Already on the staff.")]},
            )
        member = StaffMember.objects.create(
            institution=institution,
            name=name.strip(),
            id_number=number,
            id_hash=digest,
            gender=gender,
            role=role,
            education=education,
            class_group=class_group,
            hired_on=hired_on,
            health_certificate_expires=health_certificate_expires,
            background_checked_on=background_checked_on,
        )
        audit.record(actor=actor, event="staff.added", obj=member, details={"role": role})
        if employed_elsewhere(id_hash=digest, institution_id=institution.pk):
            notify_duty_holders(
                duty=rules.OVERSEE_DUTY,
                title=_("A staff member is active at two institutions"),
                body=_("%(institution)s added a person who is also on another institution's staff.")
                % {"institution": institution.name},
            )
    return member


@transaction.atomic
def staff_update(*, actor, member: StaffMember, **changes) -> StaffMember:
    require_roster_keeper(actor, member.institution)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_class_group(member.institution, changes.get("class_group", member.class_group))
    _check_dates(changes.get("hired_on", member.hired_on), member.left_on)
    changed = {}
    for field, value in changes.items():
        if getattr(member, field) != value:
            changed[field] = str(value) if value is not None else None
            setattr(member, field, value)
    if changed:
        member.save(update_fields=list(changed))
        audit.record(actor=actor, event="staff.changed", obj=member, details={"fields": sorted(changed)})
    return member


@transaction.atomic
def staff_leave(*, actor, member: StaffMember, left_on: date) -> StaffMember:
    """End the employment; the record stays (rates, history, the duplicate check)."""
    require_roster_keeper(actor, member.institution)
    if member.left_on is not None:
        raise ApplicationError(_("This person has already left."))
    _check_dates(member.hired_on, left_on)
    member.left_on = left_on
    member.class_group = None
    member.save(update_fields=["left_on", "class_group"])
    audit.record(actor=actor, event="staff.left", obj=member, details={"left_on": str(left_on)})
    return member


@transaction.atomic
def staff_reveal(*, actor, member: StaffMember, reason: str, request=None) -> str:
    """The full ID number, for a holder of ``staff.reveal`` who gives a reason; logged."""
    policy.require_duty(actor, rules.REVEAL_DUTY)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ApplicationError(
            _("Say why you need the full ID number."), fields={"reason": [_("Give a reason (4 characters or more).")]}
        )
    audit.security_event(
        kind=SecurityEvent.Kind.REVEAL,
        user=actor,
        request=request,
        detail={"model": "training.staffmember", "pk": member.pk, "field": "id_number", "reason": reason[:200]},
    )
    return member.id_number


def rosters_close_for_gone(*, actor, institution_id: int) -> int:
    """The registry's ``institution_changed`` hook, in the registry's transaction: when an
    institution is closed or its registration withdrawn, everyone still employed there leaves
    today (one hired for a later day leaves on that day), so that nobody stays active at an
    institution that no longer exists and the duplicate check does not flag them elsewhere.
    Returns how many left."""
    institution = Institution.objects.get(pk=institution_id)
    if institution.status not in (Institution.Status.CLOSED, Institution.Status.REVOKED):
        return 0
    today = timezone.localdate()
    still_on = StaffMember.objects.filter(institution_id=institution_id).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today)
    )
    left = 0
    for member in still_on.select_for_update():
        member.left_on, member.class_group = max(today, member.hired_on), None
        member.save(update_fields=["left_on", "class_group"])
        audit.record(
            actor=actor, event="staff.left", obj=member,
            details={"left_on": str(member.left_on), "because": institution.status},
        )  # fmt: skip
        left += 1
    return left
