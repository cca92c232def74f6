"""Certificates of staff: the institution records them with a scan; the HR bureau
(``certificate.verify``) verifies or rejects them; the health bureau decides which kinds
count towards the certification rate (``staff.oversee``)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.services import notify_organisation
from paperwork import bulk, files
from training import rules
from training.models import Certificate, CertificateKind, StaffMember
from training.services.staff import require_roster_keeper

SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = (files.PDF, files.JPEG, files.PNG)


def _check(kind: CertificateKind, level: str, issued_on: date, expires_on: date | None) -> None:
    if not kind.is_active:
        raise ApplicationError(_("This kind of certificate is no longer in use."), fields={"kind": [_("Not in use.")]})
    if kind.levels and level not in kind.levels:
        message = _("Choose one of the levels: %(levels)s.") % {"levels": "、".join(kind.levels)}
        raise ApplicationError(message, fields={"level": [message]})
    if issued_on > timezone.localdate():
        raise ApplicationError(
            _("The issue date cannot be in the future."), fields={"issued_on": [_("In the future.")]}
        )
    if expires_on is not None and expires_on < issued_on:
        raise ApplicationError(
            _("The certificate cannot expire before it was issued."),
            fields={"expires_on": [_("Before the issue date.")]},
        )


def _store_scan(certificate: Certificate, scan) -> None:
    certificate.scan = files.store(scan, folder="training", allowed=SCAN_TYPES, max_bytes=SCAN_MAX_BYTES)


@transaction.atomic
def certificate_add(
    *,
    actor,
    member: StaffMember,
    kind: CertificateKind,
    number: str,
    issuer: str,
    issued_on: date,
    level: str = "",
    expires_on: date | None = None,
    scan=None,
) -> Certificate:
    require_roster_keeper(actor, member.institution)
    if member.left_on is not None:
        raise ApplicationError(_("This person has left; certificates are kept for current staff."))
    _check(kind, level, issued_on, expires_on)
    number = number.strip()
    if Certificate.objects.filter(kind=kind, number=number).exists():
        raise ApplicationError(
            _("A certificate of this kind with this number is already recorded."),
            fields={"number": [_("Already recorded.")]},
        )
    certificate = Certificate(
        staff=member, kind=kind, level=level, number=number, issuer=issuer.strip(), issued_on=issued_on,
        expires_on=expires_on,
    )  # fmt: skip
    if scan is not None:
        _store_scan(certificate, scan)
    certificate.save()
    audit.record(actor=actor, event="certificate.added", obj=certificate, details={"kind": kind.code})
    return certificate


@transaction.atomic
def certificate_withdraw(*, actor, certificate: Certificate) -> None:
    """The institution removes a certificate recorded by mistake, before it is verified."""
    require_roster_keeper(actor, certificate.staff.institution)
    if certificate.status == Certificate.Status.VERIFIED:
        raise ApplicationError(_("A verified certificate cannot be removed."))
    audit.record(actor=actor, event="certificate.withdrawn", obj=certificate, details={"number": certificate.number})
    scan = certificate.scan
    certificate.delete()
    if scan is not None:
        files.discard(scan)


def _decide(*, actor, certificate: Certificate, status: str, note: str) -> Certificate:
    organisation = policy.acting_organisation(actor, rules.VERIFY_DUTY)
    if organisation is None:
        raise PermissionDenied(rules.VERIFY_DUTY)
    # Two verifiers at once: the first decision wins, the second is told.
    decided = Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.PENDING).update(
        status=status, verified_by=organisation, verified_at=timezone.now(), verification_note=note
    )
    if not decided:
        raise ApplicationError(_("This certificate has already been decided."))
    certificate.refresh_from_db()
    audit.record(actor=actor, event=f"certificate.{status}", obj=certificate, details={"note": note[:200]})
    institution = certificate.staff.institution
    title = (
        _("Certificate verified: %(name)s") if status == Certificate.Status.VERIFIED
        else _("Certificate rejected: %(name)s")
    ) % {"name": certificate.staff.name}  # fmt: skip
    notify_organisation(organisation_id=institution.organisation_id, title=title, body=note)
    return certificate


@transaction.atomic
def certificate_verify(*, actor, certificate: Certificate, note: str = "") -> Certificate:
    return _decide(actor=actor, certificate=certificate, status=Certificate.Status.VERIFIED, note=note)


@transaction.atomic
def certificate_reject(*, actor, certificate: Certificate, note: str) -> Certificate:
    if not (note or "").strip():
        raise ApplicationError(_("Say why the certificate is rejected."), fields={"note": [_("Give a reason.")]})
    return _decide(actor=actor, certificate=certificate, status=Certificate.Status.REJECTED, note=note.strip())


@transaction.atomic
def certificate_kind_set_counts(*, actor, kind: CertificateKind, counts_for_rate: bool) -> CertificateKind:
    """The health bureau's definition of the certification rate: which kinds count."""
    policy.require_duty(actor, rules.OVERSEE_DUTY)
    if kind.counts_for_rate != counts_for_rate:
        kind.counts_for_rate = counts_for_rate
        kind.save(update_fields=["counts_for_rate"])
        audit.record(actor=actor, event="certificate_kind.changed", obj=kind, details={"counts": counts_for_rate})
    return kind


def _label(certificate: Certificate) -> str:
    return f"{certificate.staff.name} · {certificate.kind.name} {certificate.number}"


def certificates_decide_many(*, actor, ids, status: str, note: str = "") -> list[Certificate]:
    """Verify or reject many certificates at once (``paperwork.bulk``: all or nothing).

    Each certificate is checked as the single decision checks it: in the verifier's sight and
    still pending. One that is not refuses the batch, named with the reason, and nothing
    changes. The rows are locked (by id) before they are judged, so a single decision on one
    of them at the same moment either waits and then finds it decided, or decided it first and
    the batch is refused. Each certificate is audited on its own; each institution is told
    once, with the names."""
    organisation = policy.acting_organisation(actor, rules.VERIFY_DUTY)
    if organisation is None:
        raise PermissionDenied(rules.VERIFY_DUTY)
    if status not in (Certificate.Status.VERIFIED, Certificate.Status.REJECTED):
        raise ApplicationError(_("Choose whether to verify or to reject the certificates."))
    note = (note or "").strip()
    if status == Certificate.Status.REJECTED and not note:
        raise ApplicationError(_("Say why the certificates are rejected."), fields={"note": [_("Give a reason.")]})
    ids = bulk.check_size(ids)
    visible = set(Certificate.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    # Logged before the batch's transaction, which a refusal rolls back.
    policy.log_out_of_sight(actor, Certificate.objects.all(), set(ids) - visible)
    with transaction.atomic():
        return _decide_locked(actor, organisation, ids, visible, status, note)


def _decide_locked(actor, organisation, ids: list[int], visible: set[int], status: str, note: str) -> list[Certificate]:
    locked = {
        certificate.pk: certificate
        for certificate in Certificate.objects.select_for_update(of=("self",))
        .select_related("staff__institution", "kind")
        .filter(pk__in=visible)
        .order_by("pk")
    }
    problems = []
    for pk in ids:
        certificate = locked.get(pk)
        if certificate is None:
            problems.append(bulk.not_found(pk))
        elif certificate.status != Certificate.Status.PENDING:
            problems.append(
                _("%(certificate)s: already decided (%(status)s).")
                % {"certificate": _label(certificate), "status": certificate.get_status_display()}
            )
    bulk.refuse(problems)
    now = timezone.now()
    changed = Certificate.objects.filter(pk__in=ids, status=Certificate.Status.PENDING).update(
        status=status, verified_by=organisation, verified_at=now, verification_note=note
    )
    if changed != len(ids):  # only without row locks (SQLite serialises writers instead)
        raise ApplicationError(_("Nothing was changed: another decision came first. Reload the list."))
    by_institution: dict[int, list[str]] = {}
    decided = []
    for pk in ids:
        certificate = locked[pk]
        certificate.status, certificate.verified_by, certificate.verified_at = status, organisation, now
        certificate.verification_note = note
        audit.record(
            actor=actor, event=f"certificate.{status}", obj=certificate, details={"note": note[:200], "bulk": len(ids)}
        )
        by_institution.setdefault(certificate.staff.institution.organisation_id, []).append(certificate.staff.name)
        decided.append(certificate)
    for organisation_id, names in by_institution.items():
        n = len(names)
        title = (
            ngettext("%(n)d certificate verified", "%(n)d certificates verified", n)
            if status == Certificate.Status.VERIFIED
            else ngettext("%(n)d certificate rejected", "%(n)d certificates rejected", n)
        ) % {"n": n}
        body = "、".join(names) + (f"\n{note}" if note else "")
        notify_organisation(organisation_id=organisation_id, title=title, body=body)
    return decided
