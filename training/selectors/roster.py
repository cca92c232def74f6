"""Rules on the roster: the checks a roster is held to."""

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from registry import parameters
from registry.models import ClassGroup, Institution
from training.models import StaffMember


@dataclass
class RosterCheck:
    ok: bool
    subject: str
    message: str


@dataclass
class RosterReport:
    checks: list[RosterCheck] = field(default_factory=list)

    @property
    def problems(self) -> list[RosterCheck]:
        return [check for check in self.checks if not check.ok]


def roster_checks(*, institution: Institution, day: date | None = None, params: dict | None = None) -> RosterReport:
    """What the institution lacks, in plain words: each class group's caregivers (from the
    roster) against its enrolment and the ratio standard; a person in charge with a college
    degree; a health worker (full-time from the bureau's threshold); valid health
    certificates. Three queries."""
    day = day or timezone.localdate()
    params = parameters.load() if params is None else params
    staff = list(
        StaffMember.objects.filter(StaffMember.active_q(day), institution=institution).only(
            "role", "education", "class_group_id", "health_certificate_expires", "name"
        )
    )
    groups = list(ClassGroup.objects.filter(institution=institution).order_by("age_band", "name"))
    report = RosterReport()

    def add(ok: bool, subject, message: str) -> None:
        report.checks.append(RosterCheck(ok, str(subject), message))

    family = institution.is_family_care_point
    for group in groups:
        assigned = sum(1 for m in staff if m.role == StaffMember.Role.CAREGIVER and m.class_group_id == group.pk)
        key = "family_point.children_per_caregiver" if family else f"class.{group.age_band}.children_per_caregiver"
        per_caregiver = params.get(key)
        if not per_caregiver:
            add(
                True,
                group.name,
                _("%(n)d caregivers on the roster; no national ratio for this class.") % {"n": assigned},
            )
            continue
        needed = math.ceil(group.enrolled / per_caregiver) if group.enrolled else 0
        figures = {"enrolled": group.enrolled, "needed": needed, "ratio": int(per_caregiver), "have": assigned,
                   "missing": needed - assigned}  # fmt: skip
        if assigned < needed:
            add(False, group.name, _(
                "%(enrolled)d children need at least %(needed)d caregivers (1 for every %(ratio)d); the roster "
                "assigns %(have)d to this class. Add %(missing)d caregiver(s) or assign them to the class."
            ) % figures)  # fmt: skip
        else:
            add(True, group.name, _("%(have)d caregivers for %(enrolled)d children: meets 1 : %(ratio)d.") % figures)
    heads = [m for m in staff if m.role == StaffMember.Role.PERSON_IN_CHARGE]
    subject = _("Person in charge")
    if not heads:
        add(False, subject, _("No person in charge is on the roster."))
    elif not any(m.education in StaffMember.COLLEGE_OR_ABOVE for m in heads):
        add(False, subject, _("The person in charge needs a college degree (大专) or above."))
    else:
        add(True, subject, _("A person in charge with a college degree or above."))
    if not family:
        health_workers = sum(1 for m in staff if m.role == StaffMember.Role.HEALTH_WORKER)
        enrolled = sum(group.enrolled for group in groups)
        threshold = params.get("staff.full_time_health_worker_from")
        subject = _("Health worker")
        if not health_workers:
            add(False, subject, _("No health worker is on the roster; at least one is required."))
        elif threshold and enrolled >= threshold:
            add(True, subject, _("%(n)d children: the health worker must be full-time.") % {"n": enrolled})
        else:
            add(True, subject, _("A health worker is on the roster."))
    lacking = [m.name for m in staff if m.health_certificate_expires is None or m.health_certificate_expires < day]
    subject = _("Health certificates")
    if lacking:
        add(False, subject, _("No valid health certificate: %(names)s.") % {"names": "、".join(sorted(lacking))})
    else:
        add(True, subject, _("Every active staff member has a valid health certificate."))
    return report
