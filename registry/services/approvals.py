"""The education bureau's approval of kindergarten nursery classes (托幼一体化审批, Annex 2).

    pending ──approve──▶ approved   (the institution may now submit its filing)
       ▲  └──refuse───▶ refused    (with the reason; correcting the record asks again)
       └──────────────────┘

A decision is a conditional update on ``education_approval``, so of two officers deciding the
same class at once exactly one wins; the other is told it was already decided.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from accounts.services import notify_organisation
from registry import rules
from registry.models import Institution

Approval = Institution.EducationApproval


def _require_approver(actor) -> None:
    if not rules.can_approve_nursery_classes(actor=actor):
        raise PermissionDenied(rules.NURSERY_CLASS_DUTY)


def _decide(*, actor, institution: Institution, status: str, note: str) -> Institution:
    if institution.provider_type != Institution.ProviderType.KINDERGARTEN_CLASS:
        raise ApplicationError(_("Only kindergarten nursery classes are approved by the education bureau."))
    updated = Institution.objects.filter(pk=institution.pk, education_approval=Approval.PENDING).update(
        education_approval=status, education_decided_at=timezone.now(), education_decided_by=actor,
        education_note=note,
    )  # fmt: skip
    if not updated:
        raise ApplicationError(_("This nursery class is no longer waiting for approval; someone may have decided it."))
    return Institution.objects.select_related("organisation").get(pk=institution.pk)


@transaction.atomic
def nursery_class_approve(*, actor, institution: Institution, note: str = "") -> Institution:
    _require_approver(actor)
    institution = _decide(actor=actor, institution=institution, status=Approval.APPROVED, note=note.strip())
    audit.record(actor=actor, event="nursery_class.approved", obj=institution)
    notify_organisation(
        organisation_id=institution.organisation_id,
        title=_("Approved by the education bureau: %(name)s") % {"name": institution.name},
        body=_("You may now submit your filing to the health bureau."),
        link=f"/registry/institutions/{institution.pk}/",
    )
    return institution


@transaction.atomic
def nursery_class_refuse(*, actor, institution: Institution, reason: str) -> Institution:
    _require_approver(actor)  # before the input is judged: no hints to others
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the refusal."), fields={"reason": [_("Required.")]})
    institution = _decide(actor=actor, institution=institution, status=Approval.REFUSED, note=reason)
    audit.record(actor=actor, event="nursery_class.refused", obj=institution, details={"reason": reason})
    notify_organisation(
        organisation_id=institution.organisation_id,
        title=_("Refused by the education bureau: %(name)s") % {"name": institution.name},
        body=_("Reason: %(reason)s. Correct your record to ask again.") % {"reason": reason},
        link=f"/registry/institutions/{institution.pk}/",
    )
    return institution


def filing_require_approval(institution: Institution) -> None:
    """A nursery class files only once the education bureau has approved it."""
    if institution.provider_type != Institution.ProviderType.KINDERGARTEN_CLASS:
        return
    if institution.education_approval == Approval.APPROVED:
        return
    if institution.education_approval == Approval.REFUSED:
        raise ApplicationError(
            _("The education bureau refused this nursery class (%(reason)s): correct the record to ask again.")
            % {"reason": institution.education_note or "—"}
        )
    raise ApplicationError(
        _("A kindergarten nursery class is filed only after the education bureau approves it; it is waiting.")
    )
