"""Checks of class groups against the national class-size and ratio standards.

They produce warnings the reviewer sees, never silent acceptance and never a refusal: an
institution may record the real situation, and the health bureau judges it."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from registry.models import ClassGroup, Institution


@dataclass(frozen=True)
class Warning:
    subject: str
    message: str


def class_group_warnings(group: ClassGroup, params: dict, *, family_care_point: bool = False) -> list[Warning]:
    prefix = "family_point" if family_care_point else f"class.{group.age_band}"
    max_children = params.get(f"{prefix}.max_children")
    per_caregiver = params.get(f"{prefix}.children_per_caregiver")
    subject = str(group)
    warnings = []
    if group.enrolled > group.places:
        warnings.append(
            Warning(
                subject,
                _("%(enrolled)d children enrolled but only %(places)d places.")
                % {"enrolled": group.enrolled, "places": group.places},
            )
        )
    if max_children is not None and group.enrolled > max_children:
        warnings.append(
            Warning(
                subject,
                _("%(enrolled)d children in one class; the standard allows at most %(max)d.")
                % {"enrolled": group.enrolled, "max": int(max_children)},
            )
        )
    if max_children is not None and group.places > max_children:
        warnings.append(
            Warning(
                subject,
                _("%(places)d places in one class; the standard allows at most %(max)d.")
                % {"places": group.places, "max": int(max_children)},
            )
        )
    if per_caregiver and group.enrolled:
        needed = math.ceil(group.enrolled / per_caregiver)
        if group.caregivers < needed:
            warnings.append(
                Warning(
                    subject,
                    _(
                        "%(enrolled)d children need at least %(needed)d caregivers (1 for every %(ratio)d); "
                        "there are %(have)d."
                    )
                    % {
                        "enrolled": group.enrolled,
                        "needed": needed,
                        "ratio": int(per_caregiver),
                        "have": group.caregivers,
                    },
                )
            )
    return warnings


def institution_warnings(institution: Institution, groups: list[ClassGroup], params: dict) -> list[Warning]:
    """Warnings for the whole institution; ``groups`` are its class groups (already loaded)."""
    family = institution.is_family_care_point
    warnings = [w for group in groups for w in class_group_warnings(group, params, family_care_point=family)]
    enrolled = sum(group.enrolled for group in groups)
    if family:
        limit = params.get("family_point.max_children")
        if limit is not None and enrolled > limit:
            warnings.append(
                Warning(
                    str(institution),
                    _(
                        "A family care point takes at most %(max)d children; %(enrolled)d are enrolled: "
                        "it must register as an institution."
                    )
                    % {"max": int(limit), "enrolled": enrolled},
                )
            )
    per_child = params.get("indoor_area_per_child")
    places = sum(group.places for group in groups)
    if per_child and places and institution.indoor_area < per_child * places:
        warnings.append(
            Warning(
                str(institution),
                _("Indoor floor area %(area)s m² is below %(need)s m² (%(per)s m² for each of %(places)d places).")
                % {"area": institution.indoor_area, "need": per_child * places, "per": per_child, "places": places},
            )
        )
    return warnings
