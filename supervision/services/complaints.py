"""Complaints: sent without an account, routed by category, handled by the departments they
reach, concluded with an outcome, escalated when a deadline passes.

Invariants:
- the complainant's contact is written encrypted and read only through
  ``complaint_contact_reveal`` (an active handler's officer; each reveal is in the audit trail);
  no message, notification or log line carries it;
- a complaint changes state under a row lock, re-checked there: two handlers acting at once
  cannot both acknowledge, conclude or refer it;
- the deadlines are working days (``registry.workdays``) counted from the day it was received,
  with the numbers of days as parameters the health bureau sets.
"""

import re
import secrets
from datetime import date

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from accounts.services import notify_organisation
from inspections.models import Case, RectificationOrder
from inspections.services.decisions import order_issue_in_area
from inspections.services.enforcement import case_record
from paperwork.reminders import claim
from registry import parameters, workdays
from registry.models import Institution
from supervision import routing, rules
from supervision.models import Complaint, ComplaintHandler
from supervision.models.complaints import DESCRIPTION_MAX

# Tracking codes: 12 characters from 32 that are not mistaken for one another (no 0/O, 1/I/L),
# 60 random bits: guessing one is hopeless, and reading one out over the phone is easy.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
RATE_KEY = "complaint-rate:{address}:{day}"
RATE_SECONDS = 24 * 60 * 60
# Who is told of an overdue complaint besides its handlers: the health bureau, which leads supervision.
ESCALATION_DUTY = "review.lead"

Status, Outcome = Complaint.Status, Complaint.Outcome


def tracking_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def tracking_code_normalise(code: str) -> str:
    """What the complainant typed, as stored: upper case, grouped by four, spaces ignored."""
    raw = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()[:CODE_LENGTH]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def deadlines(received: date) -> tuple[date, date]:
    acknowledge = int(parameters.get("complaint.acknowledge_working_days", 2))
    conclude = int(parameters.get("complaint.conclude_working_days", 15))
    return workdays.add_working_days(received, acknowledge), workdays.add_working_days(received, conclude)


# --- Abuse of the form --------------------------------------------------------------------


def _rate_key(address: str) -> str:
    return RATE_KEY.format(address=address or "unknown", day=timezone.localdate().isoformat())


def complaint_rate_check(*, address: str) -> None:
    """Refuse a complaint from an address that already sent the day's allowance. Nothing is
    stored for a refused one; the count lives in the cache only, for a day."""
    limit = int(parameters.get("complaint.per_address_per_day", 5))
    if (cache.get(_rate_key(address)) or 0) >= limit:
        raise ApplicationError(
            _(
                "Too many complaints were sent from this network address today. Nothing was saved; "
                "please try again tomorrow, or call the 12345 government hotline."
            )
        )


def complaint_rate_count(*, address: str) -> None:
    key = _rate_key(address)
    if not cache.add(key, 1, RATE_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, RATE_SECONDS)


# --- Sending ------------------------------------------------------------------------------


def _clean(*, category, institution, township, provider_name, provider_address, description, contact_phone):
    errors = {}
    if category not in Complaint.Category.values:
        errors["category"] = [_("Choose what the complaint is about.")]
    if not description.strip():
        errors["description"] = [_("Describe what happened.")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(max)d characters.") % {"max": DESCRIPTION_MAX}]
    if institution is None:
        if township is None or township.level != Region.Level.TOWNSHIP:
            errors["township"] = [_("Choose the township where the provider is.")]
        if not provider_name.strip():
            errors["provider_name"] = [_("Name the provider, as you know it.")]
        if not provider_address.strip():
            errors["provider_address"] = [_("Give the address of the provider.")]
    if contact_phone and not PHONE.match(contact_phone.strip()):
        errors["contact_phone"] = [_("Enter a phone number of digits, or leave it empty.")]
    if errors:
        raise ApplicationError(_("The complaint was not sent: please correct the marked fields."), fields=errors)


@transaction.atomic
def complaint_submit(
    *,
    category: str,
    description: str,
    institution: Institution | None = None,
    township: Region | None = None,
    provider_name: str = "",
    provider_address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Complaint:
    """A complaint from the public (no actor: nobody is logged in). About a filed, operating
    institution (its township follows), or about a provider with no record (township, name and
    address given). Routed at once; the handlers are told, without the complainant's contact."""
    if institution is not None:
        institution = (
            Institution.objects.filter(
                pk=institution.pk,
                filing_status=Institution.FilingStatus.FILED,
                status=Institution.Status.OPERATING,
            )
            .select_related("township")
            .first()
        )
        if institution is None:
            raise ApplicationError(_("This institution is not in the public registry."))
        township, provider_name, provider_address = institution.township, "", ""
    _clean(
        category=category,
        institution=institution,
        township=township,
        provider_name=provider_name,
        provider_address=provider_address,
        description=description,
        contact_phone=contact_phone,
    )
    handlers = routing.handlers_for(category=category, township=township)
    if not handlers:  # a routing that reaches nobody is a data error; the health bureau takes it
        handlers = routing.handlers_for(category=Complaint.Category.OTHER, township=township)
    acknowledge_due, conclude_due = deadlines(timezone.localdate())
    fields = {
        "category": category,
        "institution": institution,
        "township": township,
        "provider_name": provider_name.strip()[:128],
        "provider_address": provider_address.strip()[:200],
        "description": description.strip(),
        "contact_name": contact_name.strip()[:64],
        "contact_phone": contact_phone.strip(),
        "acknowledge_due": acknowledge_due,
        "conclude_due": conclude_due,
    }
    for _attempt in range(3):  # a clash of two random codes is all but impossible; retry if it happens
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(tracking_code=tracking_code_new(), **fields)
            break
        except IntegrityError:
            continue
    else:
        raise ApplicationError(_("The complaint could not be saved; please send it again."))
    ComplaintHandler.objects.bulk_create([ComplaintHandler(complaint=complaint, organisation=o) for o in handlers])
    audit.record(
        actor=None,
        event="complaint.received",
        obj=complaint,
        details={"category": category, "handlers": [o.code for o in handlers]},
    )
    for organisation in handlers:
        _tell(organisation, complaint, _("New complaint %(code)s: %(subject)s"))
    return complaint


def _tell(organisation: Organisation, complaint: Complaint, title: str, body: str = "") -> None:
    notify_organisation(
        organisation_id=organisation.pk,
        title=title % {"code": complaint.tracking_code, "subject": complaint.subject},
        body=body,
        link=f"/supervision/complaints/{complaint.pk}/",
    )


# --- Handling -----------------------------------------------------------------------------


def _locked(actor, complaint: Complaint) -> tuple[Complaint, Organisation]:
    """The complaint under a row lock, and the actor's handling organisation, re-checked there."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    organisation = rules.handling_organisation(actor, complaint)
    if organisation is None:
        raise PermissionDenied("complaint.handle")
    if not complaint.is_open:
        raise ApplicationError(_("This complaint is already concluded."))
    return complaint, organisation


@transaction.atomic
def complaint_acknowledge(*, actor, complaint: Complaint) -> Complaint:
    complaint, organisation = _locked(actor, complaint)
    if complaint.status != Status.RECEIVED:
        raise ApplicationError(_("This complaint was already acknowledged."))
    complaint.status, complaint.acknowledged_at, complaint.acknowledged_by = Status.ACKNOWLEDGED, timezone.now(), actor
    complaint.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit.record(actor=actor, event="complaint.acknowledged", obj=complaint, details={"by": organisation.code})
    return complaint


@transaction.atomic
def complaint_conclude(*, actor, complaint: Complaint, outcome: str, findings: str, reply: str) -> Complaint:
    """Substantiated or not, with the findings (internal) and the reply the complainant reads.
    A complaint not yet acknowledged is acknowledged by its conclusion."""
    errors = {}
    if outcome not in (Outcome.SUBSTANTIATED, Outcome.NOT_SUBSTANTIATED):
        errors["outcome"] = [_("Choose substantiated or not substantiated.")]
    if not findings.strip():
        errors["findings"] = [_("Record what the investigation found.")]
    if not reply.strip():
        errors["reply"] = [_("Write the reply the complainant will read.")]
    if errors:
        raise ApplicationError(_("The complaint was not concluded: please correct the marked fields."), fields=errors)
    complaint, organisation = _locked(actor, complaint)
    now = timezone.now()
    if complaint.status == Status.RECEIVED:
        complaint.acknowledged_at, complaint.acknowledged_by = now, actor
    complaint.status, complaint.outcome = Status.CONCLUDED, outcome
    complaint.findings, complaint.reply = findings.strip(), reply.strip()
    complaint.concluded_at, complaint.concluded_by = now, actor
    complaint.save()
    audit.record(
        actor=actor, event="complaint.concluded", obj=complaint, details={"outcome": outcome, "by": organisation.code}
    )
    return complaint


@transaction.atomic
def complaint_refer(*, actor, complaint: Complaint, organisation: Organisation, reason: str) -> Complaint:
    """Hand the complaint to another department (or township) that is competent for it: it
    becomes that organisation's to acknowledge and conclude, with fresh deadlines; the referring
    department keeps its sight of the complaint and acts on it no more."""
    if not reason.strip():
        raise ApplicationError(
            _("Say why the complaint goes to another department."), fields={"reason": [_("Required.")]}
        )
    complaint, own = _locked(actor, complaint)
    if organisation.pk == own.pk or organisation.kind not in (Organisation.Kind.DEPARTMENT, Organisation.Kind.TOWNSHIP):
        raise ApplicationError(
            _("Choose another department or township."), fields={"organisation": [_("Not allowed.")]}
        )
    ComplaintHandler.objects.filter(complaint=complaint, organisation=own).update(active=False)
    handler, created = ComplaintHandler.objects.get_or_create(complaint=complaint, organisation=organisation)
    if not created and not handler.active:
        ComplaintHandler.objects.filter(pk=handler.pk).update(active=True)
    now = timezone.now()
    complaint.acknowledge_due, complaint.conclude_due = deadlines(timezone.localdate())
    complaint.status, complaint.acknowledged_at, complaint.acknowledged_by = Status.RECEIVED, None, None
    complaint.referred_to, complaint.referred_at, complaint.escalated_at = organisation, now, None
    complaint.findings = "\n".join(part for part in (complaint.findings, reason.strip()) if part)
    complaint.save()
    audit.record(
        actor=actor,
        event="complaint.referred",
        obj=complaint,
        details={"from": own.code, "to": organisation.code},
    )
    _tell(organisation, complaint, _("Complaint %(code)s referred to you: %(subject)s"), body=reason.strip())
    return complaint


@transaction.atomic
def complaint_contact_reveal(*, actor, complaint: Complaint) -> dict:
    """The complainant's name and phone, for an active handler only; every reveal is audited."""
    if not rules.can_reveal_contact(actor, complaint):
        raise PermissionDenied("complaint.handle")
    audit.record(actor=actor, event="complaint.contact_revealed", obj=complaint)
    return {"name": complaint.contact_name, "phone": complaint.contact_phone}


@transaction.atomic
def complaint_order_open(*, actor, complaint: Complaint, text: str, deadline: date) -> RectificationOrder:
    """A substantiated complaint about an institution opens a rectification order in the
    category's area, issued by the handling department (``order_issue_in_area``)."""
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("institution").get(pk=complaint.pk)
    if rules.handling_organisation(actor, complaint) is None:
        raise PermissionDenied("complaint.handle")
    area = routing.area_of(complaint.category)
    if complaint.outcome != Outcome.SUBSTANTIATED or complaint.institution is None or area is None:
        raise ApplicationError(_("Only a substantiated complaint about an institution opens a rectification order."))
    if complaint.order_id:
        raise ApplicationError(_("A rectification order was already opened for this complaint."))
    if not text.strip():
        raise ApplicationError(_("Write what must be rectified."), fields={"text": [_("Required.")]})
    order = order_issue_in_area(
        actor=actor,
        institution=complaint.institution,
        area=area,
        items=[{"text": text.strip(), "code": "", "note": complaint.tracking_code}],
        deadline=deadline,
    )
    complaint.order = order
    complaint.save(update_fields=["order"])
    audit.record(actor=actor, event="complaint.order_opened", obj=complaint, details={"order": order.number})
    return order


@transaction.atomic
def complaint_case_open(*, actor, complaint: Complaint) -> Case:
    """A substantiated complaint about an unregistered provider opens a case (``case.manage``)."""
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("township").get(pk=complaint.pk)
    if rules.handling_organisation(actor, complaint) is None:
        raise PermissionDenied("complaint.handle")
    if complaint.outcome != Outcome.SUBSTANTIATED or complaint.institution_id:
        raise ApplicationError(_("Only a substantiated complaint about an unregistered provider opens a case."))
    if complaint.case_id:
        raise ApplicationError(_("A case was already opened for this complaint."))
    case = case_record(
        actor=actor,
        provider_name=complaint.provider_name,
        place=complaint.provider_address,
        township=complaint.township,
        found=complaint.findings,
        found_on=timezone.localdate(),
    )
    complaint.case = case
    complaint.save(update_fields=["case"])
    audit.record(actor=actor, event="complaint.case_opened", obj=complaint, details={"case": case.pk})
    return case


# --- Deadlines ----------------------------------------------------------------------------


def complaint_escalate(*, complaint: Complaint, today: date | None = None) -> bool:
    """A complaint past a deadline (not acknowledged in time, or not concluded in time) goes
    to the health bureau, which leads supervision, and its handlers are told: once, as an
    overdue order does (a conditional update sets the mark; a referral clears it)."""
    today = today or timezone.localdate()
    late = (complaint.status == Status.RECEIVED and complaint.acknowledge_due < today) or (
        complaint.is_open and complaint.conclude_due < today
    )
    if not late:
        return False
    with transaction.atomic():
        if not Complaint.objects.filter(pk=complaint.pk, escalated_at__isnull=True, status__in=[
            Status.RECEIVED, Status.ACKNOWLEDGED
        ]).update(escalated_at=timezone.now()):  # fmt: skip
            return False
        title = _("Complaint overdue: %(code)s (%(subject)s)")
        body = _("The deadline to acknowledge (%(acknowledge)s) or conclude (%(conclude)s) has passed.") % {
            "acknowledge": complaint.acknowledge_due,
            "conclude": complaint.conclude_due,
        }
        told = set()
        for handler in complaint.handlers.filter(active=True).select_related("organisation"):
            _tell(handler.organisation, complaint, title, body)
            told.add(handler.organisation_id)
        # The health bureau follows the overdue complaint from now on: it sees it (an inactive
        # handler: sight without the contact or the actions) and can chase the handlers.
        for organisation in Organisation.objects.filter(duties__code=ESCALATION_DUTY, is_active=True).exclude(
            pk__in=told
        ):
            ComplaintHandler.objects.get_or_create(complaint=complaint, organisation=organisation,
                                                   defaults={"active": False})  # fmt: skip
            _tell(organisation, complaint, title, body)
        audit.record(actor=None, event="complaint.escalated", obj=complaint)
    return True


def complaint_remind(*, complaint: Complaint, today: date | None = None) -> bool:
    """One working day before the conclusion is due, the active handlers are reminded, once
    (claimed in the reminder ledger with the messages)."""
    today = today or timezone.localdate()
    if not complaint.is_open or workdays.add_working_days(today, 1) < complaint.conclude_due:
        return False
    if complaint.conclude_due < today:
        return False
    with transaction.atomic():
        if not claim(f"complaint:{complaint.pk}:{complaint.conclude_due.isoformat()}:1d"):
            return False
        for handler in complaint.handlers.filter(active=True).select_related("organisation"):
            _tell(
                handler.organisation,
                complaint,
                _("Complaint %(code)s is due for conclusion soon: %(subject)s"),
                _("Conclude by %(day)s.") % {"day": complaint.conclude_due},
            )
    return True
