"""Departmental findings: each department records its own area of a review, or of an ad-hoc
inspection; a township records local supervision visits; the department that recorded a
finding adds its photos.

A finding on an annual review is recorded while the review is under inspection (the
self-report is in, no decision yet, the cycle open): a decision rests on the findings it saw,
so they are not changed under it. Recording the same review and area again replaces the
earlier finding (the audit trail keeps it); its photos move to the new one.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation
from inspections import rules
from inspections.models import (
    AnnualReview,
    Area,
    AreaExemption,
    ChecklistItem,
    Finding,
    FindingItem,
    InspectionFile,
    ReviewCycle,
)
from inspections.services.checklists import area_applies, checklist_for_year, review_required_areas
from inspections.services.common import inspection_file_store
from paperwork import bulk, files
from registry import parameters
from registry.models import Institution

PHOTO_TYPES = (files.JPEG, files.PNG)
PHOTOS_MAX = 30
NOTE_MAX = FindingItem._meta.get_field("note").max_length


def finding_record_check(
    *, actor, institution: Institution, area: str, review: AnnualReview | None = None
) -> Organisation:
    """The department through which ``actor`` records this finding; raises PermissionDenied
    (not this department's area) or ApplicationError (the rule that refuses it, in words the
    form shows). The recording page asks this before it shows the form."""
    if area not in Area.values:
        raise ApplicationError(_("Unknown area of inspection."), fields={"area": [_("Unknown area.")]})
    department = policy.acting_organisation(actor, Area.duty(area))
    if department is None:
        policy.require_duty(actor, Area.duty(area))  # 403, logged: not this department's area
        raise PermissionDenied(Area.duty(area))
    if not area_applies(area, institution):
        raise ApplicationError(_("This area does not apply to this kind of institution."))
    if review is not None:
        if review.institution_id != institution.pk:
            raise ApplicationError(_("The review belongs to another institution."))
        if review.cycle.status != ReviewCycle.Status.OPEN:
            raise ApplicationError(_("The annual review %(year)s is closed.") % {"year": review.cycle.year})
        if review.status != AnnualReview.Status.INSPECTING:
            raise ApplicationError(
                _(
                    "Findings are recorded while the review is under inspection (self-report in, no decision "
                    "yet); this review is: %(status)s."
                )
                % {"status": review.get_status_display()}
            )
    return department


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
    if review is not None:
        # Locked: of two recordings of the same review and area at once, one replaces the other.
        review = AnnualReview.objects.select_for_update().select_related("cycle").get(pk=review.pk)
    department = finding_record_check(actor=actor, institution=institution, area=area, review=review)
    if inspected_on > timezone.localdate():
        raise ApplicationError(
            _("The date of inspection cannot be in the future."), fields={"inspected_on": [_("In the future.")]}
        )
    year = review.cycle.year if review is not None else inspected_on.year
    template = checklist_for_year(area=area, year=year)
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
    long_notes = {code for code, (_result, note) in results.items() if len(note) > NOTE_MAX}
    if long_notes:
        raise ApplicationError(
            _("Notes on an item may be at most %(max)d characters: %(codes)s")
            % {"max": NOTE_MAX, "codes": ", ".join(sorted(long_notes))}
        )
    values = {
        "institution": institution,
        "area": area,
        "department": department,
        "inspector": actor,
        "inspected_on": inspected_on,
        "notes": notes,
        "passed": all(result != FindingItem.Result.FAIL for result, _note in results.values()),
    }
    previous = Finding.objects.filter(review=review, area=area).first() if review is not None else None
    if previous is not None:
        # Replaced in place: the trail keeps the old values, the photos (evidence of the
        # inspection, not of one way of writing it down) and the finding's address stay.
        FindingItem.objects.filter(finding=previous).delete()
        Finding.objects.filter(pk=previous.pk).update(**values, created_at=timezone.now())
        finding = Finding.objects.get(pk=previous.pk)
    else:
        finding = Finding.objects.create(review=review, **values)
    FindingItem.objects.bulk_create(
        FindingItem(finding=finding, item=items[code], result=result, note=note)
        for code, (result, note) in results.items()
    )
    if review is not None:
        # The area was checked after all: the finding, not the exemption, is what counts.
        AreaExemption.objects.filter(review=review, area=area).delete()
    audit.record(
        actor=actor,
        event="finding.recorded" if previous is None else "finding.replaced",
        obj=finding,
        details={"area": area, "passed": finding.passed},
    )
    return finding


@transaction.atomic
def area_exempt(*, actor, review: AnnualReview, area: str, reason: str) -> AreaExemption:
    """Record an area of the review as not applicable to the institution, with the reason, so
    that the decision may rest on the other areas. The area's department or the health
    bureau (``review.lead``) records it, while the review is under inspection; an area that
    already has a finding keeps it."""
    if area not in Area.values:
        raise ApplicationError(_("Unknown area of inspection."), fields={"area": [_("Unknown area.")]})
    department = policy.acting_organisation(actor, Area.duty(area)) or policy.acting_organisation(
        actor, rules.LEAD_DUTY
    )
    if department is None:
        policy.require_duty(actor, Area.duty(area))  # 403, logged
        raise PermissionDenied(Area.duty(area))
    review = AnnualReview.objects.select_for_update().select_related("cycle", "institution").get(pk=review.pk)
    label = Area(area).label
    if area not in review_required_areas(review=review):
        raise ApplicationError(_("%(area)s is not checked for this institution.") % {"area": label})
    if review.cycle.status != ReviewCycle.Status.OPEN or review.status != AnnualReview.Status.INSPECTING:
        raise ApplicationError(
            _("An area is recorded as not applicable while the review is under inspection; this review is: %(status)s.")
            % {"status": review.get_status_display()}
        )
    if Finding.objects.filter(review=review, area=area).exists():
        raise ApplicationError(_("%(area)s already has a finding on this review; it stands.") % {"area": label})
    if not reason.strip():
        raise ApplicationError(
            _("Say why %(area)s does not apply to this institution.") % {"area": label},
            fields={"reason": [_("Required.")]},
        )
    exemption, created = AreaExemption.objects.update_or_create(
        review=review,
        area=area,
        defaults={
            "reason": reason.strip(),
            "department": department,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    audit.record(actor=actor, event="review.area_exempted", obj=exemption, details={"area": area, "new": created})
    return exemption


@transaction.atomic
def supervision_visit_record(*, actor, institution: Institution, visited_on: date, notes: str) -> Finding:
    """A township's local supervision visit to an institution in its territory."""
    township = policy.acting_organisation(actor, rules.SUPERVISION_DUTY)
    if township is None:
        policy.require_duty(actor, rules.SUPERVISION_DUTY)
        raise PermissionDenied(rules.SUPERVISION_DUTY)
    if institution.township_id != township.jurisdiction_id:
        raise ApplicationError(_("The institution is outside your territory."))
    if not notes.strip():
        raise ApplicationError(_("Write what the visit found."), fields={"notes": [_("Required.")]})
    if visited_on > timezone.localdate():
        raise ApplicationError(
            _("The date of the visit cannot be in the future."), fields={"visited_on": [_("In the future.")]}
        )
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


@transaction.atomic
def finding_photo_add(*, actor, finding: Finding, uploaded) -> InspectionFile:
    """A photo of the inspection: JPEG or PNG by its content, within the upload size limit
    (parameter ``upload.max_megabytes``), stored under its hash, never under its own name."""
    if not rules.can_add_photos(actor, finding):
        raise PermissionDenied(rules.finding_duty(finding.area))
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if InspectionFile.objects.filter(finding=finding).count() >= PHOTOS_MAX:
        raise ApplicationError(_("A finding keeps at most %(max)d photos.") % {"max": PHOTOS_MAX})
    max_bytes = parameters.upload_max_bytes()
    head = uploaded.read(16)
    uploaded.seek(0)
    if 0 < uploaded.size <= max_bytes and files.sniff(head, uploaded) not in PHOTO_TYPES:
        raise ApplicationError(
            _("%(name)s is not a JPEG or PNG photo by its content; it was not saved.") % {"name": uploaded.name}
        )
    photo = inspection_file_store(
        actor=actor, uploaded=uploaded, allowed=PHOTO_TYPES, max_bytes=max_bytes, finding=finding
    )
    audit.record(actor=actor, event="finding.photo_added", obj=photo, details={"finding": finding.pk})
    return photo


@transaction.atomic
def finding_change_on_objection(*, actor, finding: Finding, note: str) -> Finding:
    """The department changes its failed finding on the institution's objection: the area
    passes, each item it had failed is marked as meeting the check with the reason, and the
    review decides on the changed finding. The caller checks that the actor answers for the
    department, and holds the objection's lock."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    failed = finding.items.filter(result=FindingItem.Result.FAIL)
    failed.update(result=FindingItem.Result.PASS, note=note[:300])
    finding.passed = True
    finding.notes = f"{finding.notes}\n{note}".strip()
    finding.save(update_fields=["passed", "notes"])
    audit.record(actor=actor, event="finding.changed_on_objection", obj=finding)
    return finding


def findings_record_passed_many(*, actor, area: str, review_ids, inspected_on: date, notes: str = "") -> list[Finding]:
    """A department records, for many reviews of one cycle at once, that its area passed:
    every checklist item met (``paperwork.bulk``: all or nothing).

    Each review is checked as ``finding_record`` checks one (in the department's sight, the
    area its own and applying to the institution, the cycle open, the review under
    inspection), and must not have a finding or a not-applicable record of the area yet: a
    recorded finding, a failed one above all, is changed one by one on its own page, never
    overwritten by a batch. One review that fails a check refuses the batch, named with the
    reason. The reviews are locked (by id) before they are judged, as a single recording locks
    its review, so the two cannot both record the area. Each finding is audited on its own."""
    if area not in Area.values:
        raise ApplicationError(_("Unknown area of inspection."), fields={"area": [_("Unknown area.")]})
    department = policy.acting_organisation(actor, Area.duty(area))
    if department is None:
        policy.require_duty(actor, Area.duty(area))  # 403, logged: not this department's area
        raise PermissionDenied(Area.duty(area))
    if inspected_on > timezone.localdate():
        raise ApplicationError(
            _("The date of inspection cannot be in the future."), fields={"inspected_on": [_("In the future.")]}
        )
    ids = bulk.check_size(review_ids)
    visible = set(AnnualReview.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    # Logged before the batch's transaction, which a refusal rolls back.
    policy.log_out_of_sight(actor, AnnualReview.objects.all(), set(ids) - visible)
    with transaction.atomic():
        return _record_passed_locked(actor, department, area, ids, visible, inspected_on, notes.strip())


def _record_passed_locked(actor, department, area, ids, visible, inspected_on, notes) -> list[Finding]:
    reviews = {
        review.pk: review
        for review in AnnualReview.objects.select_for_update(of=("self",))
        .select_related("cycle", "institution")
        .filter(pk__in=visible)
        .order_by("pk")
    }
    recorded = set(Finding.objects.filter(review_id__in=visible, area=area).values_list("review_id", flat=True))
    exempted = set(AreaExemption.objects.filter(review_id__in=visible, area=area).values_list("review_id", flat=True))
    label = Area(area).label
    problems = []
    for pk in ids:
        review = reviews.get(pk)
        if review is None:
            problems.append(bulk.not_found(pk))
            continue
        name = _("%(institution)s (annual review %(year)s)") % {
            "institution": review.institution.name,
            "year": review.cycle.year,
        }
        try:
            finding_record_check(actor=actor, institution=review.institution, area=area, review=review)
        except ApplicationError as error:
            problems.append(f"{name}: {error.message}")
        else:
            if pk in recorded:
                problems.append(
                    _("%(name)s: %(area)s already has a finding; change it on its own page.")
                    % {"name": name, "area": label}
                )
            elif pk in exempted:
                problems.append(_("%(name)s: %(area)s is recorded as not applicable.") % {"name": name, "area": label})
    cycles = {review.cycle.year for review in reviews.values()}
    if len(cycles) > 1:
        problems.append(
            _("The chosen reviews belong to several annual reviews (%(years)s): choose those of one year.")
            % {"years": "、".join(str(year) for year in sorted(cycles))}
        )
    bulk.refuse(problems)
    template = checklist_for_year(area=area, year=cycles.pop())
    items = list(ChecklistItem.objects.filter(template=template)) if template is not None else []
    if not items:
        raise ApplicationError(_("No checklist exists for this area yet."))
    findings = [
        Finding.objects.create(
            review=reviews[pk],
            institution=reviews[pk].institution,
            area=area,
            department=department,
            inspector=actor,
            inspected_on=inspected_on,
            notes=notes,
            passed=True,
        )  # fmt: skip
        for pk in ids
    ]
    FindingItem.objects.bulk_create(
        FindingItem(finding=finding, item=item, result=FindingItem.Result.PASS, note="")
        for finding in findings
        for item in items
    )
    for finding in findings:
        audit.record(
            actor=actor, event="finding.recorded", obj=finding, details={"area": area, "passed": True, "bulk": len(ids)}
        )
    return findings
