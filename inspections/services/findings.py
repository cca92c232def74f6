"""Departmental findings: each department records its own area of a review, or of an ad-hoc
inspection; a township records local supervision visits."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from inspections.models import AnnualReview, Area, ChecklistItem, ChecklistTemplate, Finding, FindingItem
from registry.models import Institution


def area_applies(area: str, institution: Institution) -> bool:
    """Education checks only kindergarten nursery classes; every other area checks all."""
    return area != Area.EDUCATION or institution.provider_type == Institution.ProviderType.KINDERGARTEN_CLASS


@transaction.atomic
def finding_record(
    *,
    actor,
    institution: Institution,
    area: str,
    inspected_on: date,
    results: dict[str, tuple[str, str]],
    notes: str = "",
    review: AnnualReview | None = None,
) -> Finding:
    """Record (or, for the same review and area, replace) a department's checks.

    ``results`` maps checklist item codes to (result, note). The finding fails if any item
    fails."""
    if area not in Area.values:
        raise ApplicationError(_("Unknown area of inspection."))
    department = policy.acting_organisation(actor, Area.duty(area))
    if department is None:
        policy.require_duty(actor, Area.duty(area))  # 403, logged: not this department's area
    if not area_applies(area, institution):
        raise ApplicationError(_("This area does not apply to this kind of institution."))
    if review is not None and review.institution_id != institution.pk:
        raise ApplicationError(_("The review belongs to another institution."))
    year = review.cycle.year if review is not None else inspected_on.year
    # The year's own checklist, else the latest earlier one, else the first version there is.
    templates = ChecklistTemplate.objects.filter(area=area)
    template = templates.filter(year__lte=year).order_by("-year").first() or templates.order_by("year").first()
    if template is None:
        raise ApplicationError(_("No checklist exists for this area yet."))
    items = {item.code: item for item in ChecklistItem.objects.filter(template=template)}
    unknown = set(results) - set(items)
    if unknown:
        raise ApplicationError(_("Unknown checklist items: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    missing = set(items) - set(results)
    if missing:
        raise ApplicationError(
            _("Every item needs a result; missing: %(codes)s") % {"codes": ", ".join(sorted(missing))}
        )
    bad = {code for code, (result, _note) in results.items() if result not in FindingItem.Result.values}
    if bad:
        raise ApplicationError(_("Unknown results for: %(codes)s") % {"codes": ", ".join(sorted(bad))})
    if review is not None:
        Finding.objects.filter(review=review, area=area).delete()  # replaced: the trail keeps the old one
    finding = Finding.objects.create(
        review=review,
        institution=institution,
        area=area,
        department=department,
        inspector=actor,
        inspected_on=inspected_on,
        notes=notes,
        passed=all(result != FindingItem.Result.FAIL for result, _note in results.values()),
    )
    FindingItem.objects.bulk_create(
        FindingItem(finding=finding, item=items[code], result=result, note=note)
        for code, (result, note) in results.items()
    )
    audit.record(actor=actor, event="finding.recorded", obj=finding, details={"area": area, "passed": finding.passed})
    return finding


@transaction.atomic
def supervision_visit_record(*, actor, institution: Institution, visited_on: date, notes: str) -> Finding:
    """A township's local supervision visit to an institution in its territory."""
    township = policy.acting_organisation(actor, "township.supervise")
    if township is None:
        policy.require_duty(actor, "township.supervise")
    if institution.township_id != township.jurisdiction_id:
        raise ApplicationError(_("The institution is outside your territory."))
    if not notes.strip():
        raise ApplicationError(_("Write what the visit found."), fields={"notes": [_("Required.")]})
    finding = Finding.objects.create(
        institution=institution,
        area=Finding.SUPERVISION,
        department=township,
        inspector=actor,
        inspected_on=visited_on,
        notes=notes,
    )
    audit.record(actor=actor, event="supervision.visited", obj=finding)
    return finding
