"""Checklists: the checks of one duty area for one year, kept by the department owning the area.

Only an acting member of a department holding ``check.<area>`` changes the area's checklist
(item texts, severities, new items, removals) or copies it to another year. An item that
recorded findings point to cannot be removed (the findings keep pointing to it); its text may
be corrected, and the audit trail keeps the wording it had before. A checklist never ends
empty: a finding on an empty checklist would pass without a single check.
"""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import audit, policy
from accounts.errors import ApplicationError
from inspections.models import AnnualReview, Area, AreaExemption, ChecklistItem, ChecklistTemplate, Finding, FindingItem
from registry.models import Institution

CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
YEAR_MIN, YEAR_MAX = 2000, 2100
TITLE_MAX = ChecklistTemplate._meta.get_field("title").max_length
TEXT_MAX = ChecklistItem._meta.get_field("text").max_length


def checklist_for_year(*, area: str, year: int) -> ChecklistTemplate | None:
    """The checklist a finding of ``year`` uses: the year's own, else the latest earlier one,
    else the first version there is (a year before the first checklist)."""
    templates = ChecklistTemplate.objects.filter(area=area)
    return templates.filter(year__lte=year).order_by("-year").first() or templates.order_by("year").first()


def area_applies(area: str, institution: Institution) -> bool:
    """Education checks only kindergarten nursery classes; every other area checks all."""
    return area != Area.EDUCATION or institution.provider_type == Institution.ProviderType.KINDERGARTEN_CLASS


def review_required_areas(*, review: AnnualReview) -> list[str]:
    """The areas a decision on the review rests on, in the order of ``Area``: each area that
    has a checklist and applies to the institution. A read (selectors may use it)."""
    with_checklist = set(ChecklistTemplate.objects.values_list("area", flat=True).distinct())
    return [area for area in Area.values if area in with_checklist and area_applies(area, review.institution)]


def review_missing_areas(*, review: AnnualReview) -> list[str]:
    """The required areas with neither a finding nor a record that they do not apply."""
    covered = set(Finding.objects.filter(review=review).values_list("area", flat=True))
    covered |= set(AreaExemption.objects.filter(review=review).values_list("area", flat=True))
    return [area for area in review_required_areas(review=review) if area not in covered]


def area_labels(areas) -> str:
    """Areas named for a message, in the reader's language (、 between them in Chinese)."""
    return pgettext("list separator", ", ").join(str(Area(area).label) for area in areas)


def _clean_item(raw: dict) -> dict:
    code = str(raw.get("code") or "").strip()
    text = str(raw.get("text") or "").strip()
    severity = str(raw.get("severity") or "")
    errors = []
    if not CODE.match(code):
        errors.append(_("Each item needs a code of up to 16 letters, digits, “-” or “_”."))
    if not text:
        errors.append(_("Item %(code)s needs the text of the check.") % {"code": code or "?"})
    elif len(text) > TEXT_MAX:
        errors.append(
            _("Item %(code)s: the check may be at most %(max)d characters.") % {"code": code, "max": TEXT_MAX}
        )
    if severity not in ChecklistItem.Severity.values:
        errors.append(_("Item %(code)s needs a severity.") % {"code": code or "?"})
    if errors:
        raise ApplicationError(" ".join(errors), fields={"items": errors})
    order = raw.get("order")
    if order is not None and (not isinstance(order, int) or order < 0):
        raise ApplicationError(_("Item %(code)s: the position must be a whole number.") % {"code": code})
    return {"id": raw.get("id"), "code": code, "text": text, "severity": severity, "order": order}


@transaction.atomic
def checklist_save(
    *, actor, template: ChecklistTemplate, title: str, items: list[dict], remove: list[int] = ()
) -> ChecklistTemplate:
    """Change the title, update or add ``items`` (``{"id": pk or None, "code", "text",
    "severity", "order"}``) and remove the items whose ids are in ``remove``. Items not
    named keep what they have. All or nothing: one refused change saves none."""
    policy.require_duty(actor, Area.duty(template.area))
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise ApplicationError(
            _("The checklist needs a title of at most %(max)d characters.") % {"max": TITLE_MAX},
            fields={"title": [_("Required.")]},
        )
    existing = {item.pk: item for item in ChecklistItem.objects.filter(template=template)}
    cleaned = [_clean_item(raw) for raw in items]
    remove = {int(pk) for pk in remove}
    strangers = sorted(
        {str(item["id"]) for item in cleaned if item["id"] is not None and item["id"] not in existing}
        | {str(pk) for pk in remove - set(existing)}
    )
    if strangers:
        raise ApplicationError(_("These items are not on this checklist: %(ids)s") % {"ids": ", ".join(strangers)})
    used = set(FindingItem.objects.filter(item__in=remove).values_list("item__code", flat=True))
    if used:
        raise ApplicationError(
            _(
                "Items %(codes)s are part of recorded findings and cannot be removed; correct their text, "
                "or copy the checklist to a new year and leave them out there."
            )
            % {"codes": ", ".join(sorted(used))}
        )
    updates = {item["id"]: item for item in cleaned if item["id"] is not None and item["id"] not in remove}
    new = [item for item in cleaned if item["id"] is None]
    kept = [pk for pk in existing if pk not in remove]
    final_codes = [updates[pk]["code"] if pk in updates else existing[pk].code for pk in kept]
    final_codes += [item["code"] for item in new]
    duplicates = sorted({code for code in final_codes if final_codes.count(code) > 1})
    if duplicates:
        raise ApplicationError(
            _("Each code may appear once on a checklist: %(codes)s") % {"codes": ", ".join(duplicates)},
            fields={"items": [_("Duplicate codes.")]},
        )
    if not final_codes:
        raise ApplicationError(_("A checklist needs at least one item."))

    changed, removed = [], sorted(existing[pk].code for pk in remove)
    ChecklistItem.objects.filter(pk__in=remove).delete()
    renamed = [pk for pk, item in updates.items() if item["code"] != existing[pk].code]
    for pk in renamed:  # codes are unique per checklist: two items may swap theirs
        ChecklistItem.objects.filter(pk=pk).update(code=f"~{pk}"[:16])
    for pk, item in updates.items():
        current = existing[pk]
        order = current.order if item["order"] is None else item["order"]
        values = {"code": item["code"], "text": item["text"], "severity": item["severity"], "order": order}
        before = {"code": current.code, "text": current.text, "severity": current.severity, "order": current.order}
        if values != before:
            ChecklistItem.objects.filter(pk=pk).update(**values)
            changed.append(item["code"])
    next_order = max([item.order for pk, item in existing.items() if pk not in remove] + [-1]) + 1
    for offset, item in enumerate(new):
        order = next_order + offset if item["order"] is None else item["order"]
        ChecklistItem.objects.create(
            template=template, code=item["code"], text=item["text"], severity=item["severity"], order=order
        )
    added = [item["code"] for item in new]
    if title != template.title:
        template.title = title
        template.save(update_fields=["title"])
        changed.append("title")
    if changed or added or removed:
        audit.record(
            actor=actor,
            event="checklist.saved",
            obj=template,
            details={"changed": changed, "added": added, "removed": removed},
        )
    return template


@transaction.atomic
def checklist_copy(*, actor, template: ChecklistTemplate, year: int) -> ChecklistTemplate:
    """A new year's checklist for the area, starting as a copy of ``template``."""
    policy.require_duty(actor, Area.duty(template.area))
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ApplicationError(
            _("Choose a year between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX},
            fields={"year": [_("Out of range.")]},
        )
    if ChecklistTemplate.objects.filter(area=template.area, year=year).exists():
        raise ApplicationError(
            _("The %(area)s checklist for %(year)d already exists; edit that one.")
            % {"area": Area(template.area).label, "year": year},
            fields={"year": [_("Already exists.")]},
        )
    try:
        with transaction.atomic():  # of two copies to the same year at once, one wins
            copy = ChecklistTemplate.objects.create(area=template.area, year=year, title=template.title)
    except IntegrityError:
        raise ApplicationError(_("A checklist for this area and year was just created; edit that one.")) from None
    ChecklistItem.objects.bulk_create(
        ChecklistItem(template=copy, code=item.code, text=item.text, severity=item.severity, order=item.order)
        for item in ChecklistItem.objects.filter(template=template)
    )
    audit.record(actor=actor, event="checklist.copied", obj=copy, details={"from": template.pk, "year": year})
    return copy
