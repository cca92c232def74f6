"""The filing (备案) workflow.

    draft ──submit──▶ submitted ──accept──▶ accepted   (filing number, receipt)
                       │  ▲    └──reject──▶ rejected
                  return  submit (resubmission)
                       ▼  │
                     returned

Only the institution's own officers write and submit; only ``filing.review`` decides. A
decision is a conditional update on the status, so of two reviewers deciding the same
filing at once exactly one wins; the other is told the filing was already decided.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts import services as account_services
from accounts.errors import ApplicationError
from accounts.models import Membership, Organisation, SecurityEvent
from paperwork import files
from registry import parameters, workdays
from registry.models import Filing, FilingAttachment, Institution
from registry.services import changes, numbers
from registry.services.approvals import filing_require_approval
from registry.services.institutions import institution_standing_changed

Status = Filing.Status
Kind = FilingAttachment.Kind

ALLOWED_TYPES = files.DOCUMENT_TYPES


# Documents that carry personal data (staff ID numbers, health certificates).
PERSONAL_DATA_KINDS = frozenset({Kind.STAFF_QUALIFICATIONS})


def attachment_downloaded(*, actor, attachment: FilingAttachment, request=None, shown: bool = False) -> None:
    """Every document that leaves the portal goes to the security log: who opened which
    document of which filing, read in the page (``shown``) or downloaded. A reviewer outside
    the institution opening staff papers reveals personal data and is logged as such; the
    institution's own members reading them open a document like any other."""
    own = {org.pk for org in policy.organisations_of(actor)}
    personal = attachment.kind in PERSONAL_DATA_KINDS and attachment.filing.institution.organisation_id not in own
    audit.security_event(
        kind=SecurityEvent.Kind.REVEAL if personal else SecurityEvent.Kind.DOCUMENT_OPENED,
        user=actor,
        request=request,
        detail={
            "attachment": attachment.pk,
            "kind": attachment.kind,
            "filing": attachment.filing_id,
            "how": "shown" if shown else "download",
        },
    )


def required_attachments(filing: Filing) -> list[str]:
    """Documents a filing must carry before it is submitted (national filing rules)."""
    if filing.kind == Filing.Kind.INITIAL:
        required = [Kind.REGISTRATION_CERTIFICATE, Kind.PREMISES, Kind.FIRE_SAFETY, Kind.HEALTH_EVALUATION,
                    Kind.STAFF_QUALIFICATIONS, Kind.COMMITMENT]  # fmt: skip
        if filing.institution.meals_served:
            required.insert(4, Kind.FOOD_LICENCE)
        return required
    if filing.kind == Filing.Kind.CHANGE:
        return [Kind.OTHER]
    return []


def reading_order(filing: Filing, attachments) -> list[FilingAttachment]:
    """The filing's documents in the order a reviewer reads them: the required ones in the
    order the filing rules list them, then the others by kind, each kind oldest first."""
    rank: dict[str, int] = {}
    for kind in [*required_attachments(filing), *Kind.values]:
        rank.setdefault(kind, len(rank))
    return sorted(attachments, key=lambda a: (rank.get(a.kind, len(rank)), a.uploaded_at, a.pk))


def missing_attachments(filing: Filing, present: set[str]) -> list[str]:
    return [kind for kind in required_attachments(filing) if kind not in present]


def unchanged_returned_documents(filing: Filing, attachments) -> list[str]:
    """The documents a return gave a reason for that carry no file uploaded since the return:
    a returned filing is not resubmitted with the very papers the reviewer turned down."""
    if filing.status != Status.RETURNED or filing.decided_at is None:
        return []
    renewed = {a.kind for a in attachments if a.uploaded_at > filing.decided_at}
    return [kind for kind in filing.return_reasons or {} if kind in Kind.values and kind not in renewed]


def _require_own(actor, filing: Filing) -> None:
    policy.require_acts_for(actor, filing.institution.organisation, "institution.self")


def _notify_members(organisation_id: int, title: str, body: str, link: str, roles=Membership.ACTING_ROLES):
    User = get_user_model()
    for user in User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__role__in=roles, is_active=True
    ).distinct():
        account_services.notification_send(recipient=user, title=title, body=body, link=link)


def _notify_reviewers(title: str, body: str, link: str):
    User = get_user_model()
    for user in User.objects.filter(
        memberships__organisation__duties__code="filing.review",
        memberships__role__in=Membership.ACTING_ROLES,
        is_active=True,
    ).distinct():
        account_services.notification_send(recipient=user, title=title, body=body, link=link)


def _link(filing: Filing) -> str:
    return f"/registry/filings/{filing.pk}/"


@transaction.atomic
def filing_start(*, actor, institution: Institution, kind: str = Filing.Kind.INITIAL, summary: str = "") -> Filing:
    policy.require_acts_for(actor, institution.organisation, "institution.self")
    if kind not in Filing.Kind.values:
        raise ApplicationError(_("Choose the kind of filing."), fields={"kind": [_("Unknown kind of filing.")]})
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.filings.filter(status__in=Filing.OPEN_STATUSES).exists():
        raise ApplicationError(_("A filing of this institution is still open; finish it first."))
    if kind == Filing.Kind.INITIAL and institution.filing_status == Institution.FilingStatus.FILED:
        raise ApplicationError(_("The institution is already filed; file a change or a closure instead."))
    if kind != Filing.Kind.INITIAL and institution.filing_status != Institution.FilingStatus.FILED:
        raise ApplicationError(_("Only a filed institution can file a change or a closure."))
    filing = Filing.objects.create(institution=institution, kind=kind, summary=summary)
    audit.record(actor=actor, event="filing.started", obj=filing, details={"kind": kind})
    return filing


@transaction.atomic
def filing_update(
    *, actor, filing: Filing, summary: str, commitment_signed_by: str, closure_on=None, placement: str = ""
) -> Filing:
    _require_own(actor, filing)
    closure = {"closure_on": closure_on, "placement": placement.strip()} if filing.kind == Filing.Kind.CLOSURE else {}
    updated = Filing.objects.filter(pk=filing.pk, status__in=[Status.DRAFT, Status.RETURNED]).update(
        summary=summary, commitment_signed_by=commitment_signed_by, **closure
    )
    if not updated:
        raise ApplicationError(_("Only a draft or a returned filing can be edited."))
    filing.refresh_from_db()
    return filing


@transaction.atomic
def attachment_add(*, actor, filing: Filing, kind: str, uploaded) -> FilingAttachment:
    _require_own(actor, filing)
    if filing.status not in (Status.DRAFT, Status.RETURNED):
        raise ApplicationError(_("Documents can be added only to a draft or a returned filing."))
    if kind not in Kind.values:
        raise ApplicationError(_("Choose which document this is."), fields={"kind": [_("Unknown document.")]})
    max_bytes = parameters.upload_max_bytes()
    stored = files.store(uploaded, folder="filings", allowed=ALLOWED_TYPES, max_bytes=max_bytes)
    attachment = FilingAttachment.objects.create(filing=filing, kind=kind, stored=stored, uploaded_by=actor)
    audit.record(actor=actor, event="filing.attachment_added", obj=attachment, details={"kind": kind})
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: FilingAttachment) -> None:
    _require_own(actor, attachment.filing)
    if attachment.filing.status not in (Status.DRAFT, Status.RETURNED):
        raise ApplicationError(_("Documents of a submitted filing cannot be removed."))
    audit.record(actor=actor, event="filing.attachment_removed", obj=attachment)
    attachment.delete()  # the stored file is kept: the audit trail may point to it


@transaction.atomic
def filing_submit(*, actor, filing: Filing) -> Filing:
    """Submit (or resubmit after a return). The review must end within the working days the
    national rules give (parameter ``filing.review_working_days``)."""
    _require_own(actor, filing)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if filing.status not in (Status.DRAFT, Status.RETURNED):
        raise ApplicationError(
            _("This filing is %(status)s and cannot be submitted.") % {"status": filing.get_status_display()}
        )
    missing = missing_attachments(filing, set(filing.attachments.values_list("kind", flat=True)))
    if missing:
        names = "、".join(str(Kind(kind).label) for kind in missing)
        raise ApplicationError(_("Documents missing: %(names)s.") % {"names": names})
    changes.require_changes(filing)
    unchanged = unchanged_returned_documents(filing, filing.attachments.all())
    if unchanged:
        names = "、".join(f"“{Kind(kind).label}”" for kind in unchanged)
        raise ApplicationError(
            _("The filing was returned for %(names)s: upload a corrected document before resubmitting.")
            % {"names": names},
            fields={"attachments": [_("Not changed since the return.")]},
        )
    if filing.kind == Filing.Kind.INITIAL:
        filing_require_approval(filing.institution)
    if filing.kind == Filing.Kind.INITIAL and not filing.commitment_signed_by.strip():
        raise ApplicationError(
            _("The filing commitment must be signed (name of the signatory)."),
            fields={"commitment_signed_by": [_("Required.")]},
        )
    if filing.kind == Filing.Kind.CLOSURE:
        _require_closure_details(filing)
    now = timezone.now()
    days = int(parameters.get("filing.review_working_days", 5))
    filing.status, filing.submitted_at = Status.SUBMITTED, now
    filing.due_on = workdays.add_working_days(timezone.localdate(now), days)
    filing.submissions += 1
    filing.save(update_fields=["status", "submitted_at", "due_on", "submissions"])
    if filing.kind == Filing.Kind.INITIAL:
        Institution.objects.filter(pk=filing.institution_id).update(filing_status=Institution.FilingStatus.PENDING)
    event = "filing.resubmitted" if filing.submissions > 1 else "filing.submitted"
    audit.record(actor=actor, event=event, obj=filing, details={"due_on": filing.due_on.isoformat()})
    _notify_reviewers(
        _("Filing to review: %(name)s") % {"name": filing.institution.name},
        _("%(kind)s, due by %(due)s.") % {"kind": filing.get_kind_display(), "due": filing.due_on},
        _link(filing),
    )
    return filing


def _require_closure_details(filing: Filing) -> None:
    """A closure filing names the last day of service (not in the past) and where the enrolled
    children go: the township follows both."""
    if filing.closure_on is None or filing.closure_on < timezone.localdate():
        raise ApplicationError(_("Give the closure date (today or later)."), fields={"closure_on": [_("Required.")]})
    if not filing.placement.strip():
        raise ApplicationError(_("Say how the enrolled children are placed."), fields={"placement": [_("Required.")]})


def _decide(*, actor, filing: Filing, status: str, note: str, reasons: dict | None = None) -> Filing:
    policy.require_duty(actor, "filing.review")
    updated = Filing.objects.filter(pk=filing.pk, status=Status.SUBMITTED).update(
        status=status,
        decided_at=timezone.now(),
        decided_by=actor,
        decision_note=note,
        return_reasons=reasons or {},
    )
    if not updated:
        current = Filing.objects.get(pk=filing.pk)
        if current.status == Status.DRAFT:  # returned: decided by someone, the message below fits
            raise ApplicationError(
                _("This filing has not been submitted for review (it is %(status)s); it cannot be decided.")
                % {"status": current.get_status_display()}
            )
        raise ApplicationError(
            _("This filing is no longer waiting for review (it is %(status)s); someone else may have decided it.")
            % {"status": current.get_status_display()}
        )
    return Filing.objects.select_related("institution").get(pk=filing.pk)


def _next_number(year: int) -> str:
    return f"余卫托备〔{year}〕{numbers.next_number(kind=numbers.FILING, year=year):04d}号"


@transaction.atomic
def filing_accept(*, actor, filing: Filing, note: str = "") -> Filing:
    filing = _decide(actor=actor, filing=filing, status=Status.ACCEPTED, note=note)
    institution = filing.institution
    if filing.kind == Filing.Kind.CLOSURE:
        _notify_township(filing)
        # Until its closure date the institution keeps operating and stays on the registry.
        if filing.closure_on is None or filing.closure_on <= timezone.localdate():
            _close(institution.pk)
    else:
        if filing.kind == Filing.Kind.INITIAL:
            filing.number = _next_number(timezone.localdate().year)
            filing.save(update_fields=["number"])
            Institution.objects.filter(pk=institution.pk).update(
                filing_status=Institution.FilingStatus.FILED,
                filing_number=filing.number,
                status=Institution.Status.OPERATING,
            )
        else:
            # Only now does the registry, and so the public page, show what the change proposed.
            changes.change_apply(actor=actor, filing=filing)
        # A change filing keeps the institution's filing number; it is not stored on the
        # change filing itself, whose ``number`` is unique among filings.
    if filing.kind == Filing.Kind.INITIAL or (filing.kind == Filing.Kind.CLOSURE and _closed(institution.pk)):
        institution_standing_changed(actor=actor, institution_id=institution.pk)
    number = filing.number or institution.filing_number
    audit.record(actor=actor, event="filing.accepted", obj=filing, details={"number": number})
    _notify_members(
        institution.organisation_id,
        _("Filing accepted: %(name)s") % {"name": institution.name},
        _("Filing number %(number)s. The receipt can be printed from the filing page.") % {"number": number},
        _link(filing),
    )
    return filing


def _close(institution_id: int) -> None:
    Institution.objects.filter(pk=institution_id).update(
        status=Institution.Status.CLOSED, filing_status=Institution.FilingStatus.CANCELLED
    )


def _closed(institution_id: int) -> bool:
    return Institution.objects.filter(pk=institution_id, status=Institution.Status.CLOSED).exists()


def _notify_township(filing: Filing) -> None:
    """The township supervises what lies in its territory: it hears of a closure and of where
    the children go when the health bureau accepts it."""
    institution = filing.institution
    for organisation in Organisation.objects.filter(
        kind=Organisation.Kind.TOWNSHIP, jurisdiction_id=institution.township_id
    ):
        _notify_members(
            organisation.pk,
            _("Closure filed: %(name)s closes on %(date)s") % {"name": institution.name, "date": filing.closure_on},
            _("Placement of the enrolled children: %(placement)s") % {"placement": filing.placement or "—"},
            _link(filing),
        )


@transaction.atomic
def closures_apply(*, day=None) -> int:
    """Close the institutions whose accepted closure filing's date has come (daily beat task;
    idempotent): they leave the public registry, the open review cycles and the figures."""
    day = day or timezone.localdate()
    due = Institution.objects.filter(
        status=Institution.Status.OPERATING,
        filings__kind=Filing.Kind.CLOSURE, filings__status=Status.ACCEPTED, filings__closure_on__lte=day,
    ).distinct()  # fmt: skip
    closed = 0
    for institution_id in list(due.values_list("pk", flat=True)):
        _close(institution_id)
        audit.record(actor=None, event="institution.closed", obj=Institution(pk=institution_id))
        institution_standing_changed(actor=None, institution_id=institution_id)
        closed += 1
    return closed


@transaction.atomic
def filing_return(*, actor, filing: Filing, reasons: dict[str, str], note: str = "") -> Filing:
    """Return for correction, with a reason for each document or point concerned."""
    policy.require_duty(actor, "filing.review")  # before the input is judged: no hints to others
    reasons = {key: text.strip() for key, text in reasons.items() if text and text.strip()}
    if not reasons:
        raise ApplicationError(
            _("Give at least one reason for returning the filing."), fields={"reasons": [_("Required.")]}
        )
    unknown = set(reasons) - set(Kind.values) - {"general"}
    if unknown:
        message = _("Unknown items: %(items)s") % {"items": ", ".join(sorted(unknown))}
        raise ApplicationError(message, fields={"reasons": [message]})
    filing = _decide(actor=actor, filing=filing, status=Status.RETURNED, note=note, reasons=reasons)
    audit.record(actor=actor, event="filing.returned", obj=filing, details={"reasons": reasons})
    _notify_members(
        filing.institution.organisation_id,
        _("Filing returned for correction: %(name)s") % {"name": filing.institution.name},
        "\n".join(f"{_item_label(key)}: {text}" for key, text in reasons.items()),
        _link(filing),
    )
    return filing


@transaction.atomic
def filing_reject(*, actor, filing: Filing, note: str) -> Filing:
    policy.require_duty(actor, "filing.review")
    if not note.strip():
        raise ApplicationError(_("Give the reason for the rejection."), fields={"note": [_("Required.")]})
    filing = _decide(actor=actor, filing=filing, status=Status.REJECTED, note=note)
    if filing.kind == Filing.Kind.INITIAL:
        Institution.objects.filter(pk=filing.institution_id).update(filing_status=Institution.FilingStatus.NOT_FILED)
    audit.record(actor=actor, event="filing.rejected", obj=filing, details={"note": note})
    _notify_members(
        filing.institution.organisation_id,
        _("Filing rejected: %(name)s") % {"name": filing.institution.name},
        note,
        _link(filing),
    )
    return filing


def _item_label(key: str) -> str:
    return _("General") if key == "general" else str(Kind(key).label)


# --- What may be started ----------------------------------------------------------------


def startable_kinds(institution: Institution) -> list[str]:
    """Kinds of filing the institution may start (when no filing of it is open)."""
    if institution.filing_status == Institution.FilingStatus.FILED:
        return [Filing.Kind.CHANGE, Filing.Kind.CLOSURE]
    return [Filing.Kind.INITIAL]
