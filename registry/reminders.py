"""Reminders of the registry, sent daily by ``registry.tasks.registry_reminders_task``.

- **Filing deadline** (to the health bureau, ``filing.review``): a submitted filing is announced
  once when two working days of its ``filing.review_working_days`` are left (at 3 of 5), and
  once more when its due date has passed undecided. A resubmission after a return starts its
  own count (the key names the submission).
- **Registered but unfiled** (to the institution and its township): an institution registered
  ``filing.unfiled_alert_days`` days ago (30) with no filing begun, once per registration.
- **Fee above the guide price** (to market supervision, ``check.fees``, and development and
  reform, ``pricing.guide``): an inclusive institution whose full-day fee in force is above
  the guide price in force, once per (fee, guide price): a new fee or a new guide price that
  is still above it is announced again.
- **Family care point over its limit** (to the township and the health bureau): a family
  care point enrolling more children than ``family_point.max_children``, once per limit.

Each reminder is claimed in the ledger (``paperwork.reminders``, a unique key per object and
stage) in the same transaction as its messages, so a task run twice, or two workers at once,
send nothing more. When a run missed days only the nearest stage is sent (a filing found
overdue is not announced at 3 of 5 as well). ``today`` is an argument (default: the local
date). Messages are written in the portal's default language.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.hooks import url_or_placeholder
from accounts.services import notify_duty_holders, notify_organisation
from paperwork.reminders import already_sent, claim
from registry import parameters, workdays
from registry.models import FeeSchedule, Filing, Institution, PricingGuidance
from registry.selectors.planning import guides_in_force, inclusive_fee_rows
from registry.selectors.registrations import unfiled_since

# Notification kinds (declared on the AppConfig, chosen by each user for email).
KIND_FILING_DEADLINE = "filing_deadline"
KIND_UNFILED = "unfiled"
KIND_FEE_ABOVE_GUIDE = "fee_above_guide"
KIND_FAMILY_POINT_OVER_LIMIT = "family_point_over_limit"

NEAR, OVERDUE = "near", "overdue"
# Working days left of the review period when the near-deadline reminder goes (3 of 5 passed).
NEAR_WORKING_DAYS_LEFT = 2
REVIEW_DUTY = "filing.review"
TOWNSHIP_DUTY = "township.supervise"
FEE_DUTIES = ("check.fees", "pricing.guide")
NAMES_IN_MESSAGE = 30
IN_SERVICE_EXCLUDED = (Institution.Status.CLOSED, Institution.Status.REVOKED)


def _names(names: list[str]) -> str:
    shown = pgettext("list separator", ", ").join(names[:NAMES_IN_MESSAGE])
    if len(names) > NAMES_IN_MESSAGE:
        shown += _(" and %(n)d more") % {"n": len(names) - NAMES_IN_MESSAGE}
    return shown


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def registry_reminders(*, today: date | None = None) -> dict[str, int]:
    """Every registry reminder due today; how many objects each announced now."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        return {
            **filing_deadline_reminders(today=today),
            "unfiled": unfiled_reminders(today=today),
            "fee_above_guide": fee_reminders(today=today),
            "family_point_over_limit": family_point_reminders(today=today),
        }


def _claim_new(keys: dict) -> list:
    """The objects whose key is claimed now (call inside the transaction that sends)."""
    return [obj for obj, key in keys.items() if claim(key)]


# --- Filing deadline -----------------------------------------------------------------------


def filing_stage(filing: Filing, today: date, days: int) -> str | None:
    """The reminder due for a submitted filing today: overdue after its due date, near once at
    most ``NEAR_WORKING_DAYS_LEFT`` working days are left, else none."""
    if filing.due_on is None or filing.submitted_at is None:
        return None
    if today > filing.due_on:
        return OVERDUE
    submitted = timezone.localdate(filing.submitted_at)
    if workdays.working_days_between(submitted, today) >= max(days - NEAR_WORKING_DAYS_LEFT, 1):
        return NEAR
    return None


def filing_deadline_reminders(*, today: date) -> dict[str, int]:
    days = int(parameters.get("filing.review_working_days", 5))
    filings = list(
        Filing.objects.filter(status=Filing.Status.SUBMITTED, due_on__isnull=False)
        .select_related("institution")
        .order_by("due_on", "institution__name", "pk")
    )
    staged = defaultdict(dict)
    for filing in filings:
        stage = filing_stage(filing, today, days)
        if stage is not None:
            staged[stage][filing] = f"filing:{filing.pk}:{filing.submissions}:{stage}"
    sent = {"filing_near": 0, "filing_overdue": 0}
    link = reverse("filing_list") + "?status=submitted"
    for stage, keys in staged.items():
        done = already_sent(keys.values())
        keys = {filing: key for filing, key in keys.items() if key not in done}
        if not keys:
            continue
        with transaction.atomic():
            new = _claim_new(keys)
            if not new:
                continue
            lines = [
                _("%(name)s (%(kind)s): due on %(due)s")
                % {"name": f.institution.name, "kind": f.get_kind_display(), "due": _day(f.due_on)}  # fmt: skip
                for f in new
            ]
            if stage == NEAR:
                title = _("%(n)d filings near their review deadline") % {"n": len(new)}
                intro = _("Two working days or fewer are left to decide these filings:")
            else:
                title = _("%(n)d filings past their review deadline") % {"n": len(new)}
                intro = _("The review period of these filings has passed undecided:")
            body = "\n".join([intro, *lines[:NAMES_IN_MESSAGE]])
            notify_duty_holders(duty=REVIEW_DUTY, title=title, body=body, link=link, kind=KIND_FILING_DEADLINE)
        sent[f"filing_{stage}"] += len(new)
    return sent


# --- Registered but unfiled ----------------------------------------------------------------


def unfiled_reminders(*, today: date) -> int:
    institutions = (
        unfiled_since(Institution.objects.exclude(status__in=IN_SERVICE_EXCLUDED), today=today)
        .select_related("organisation")
        .order_by("township__code", "name")
    )
    keys = {institution: f"unfiled:{institution.pk}" for institution in institutions}
    done = already_sent(keys.values())
    keys = {institution: key for institution, key in keys.items() if key not in done}
    days = int(parameters.get("filing.unfiled_alert_days", 30))
    count = 0
    by_township = defaultdict(dict)
    for institution, key in keys.items():
        by_township[institution.township][institution] = key
    for township, township_keys in by_township.items():
        with transaction.atomic():
            new = _claim_new(township_keys)
            for institution in new:
                notify_organisation(
                    organisation_id=institution.organisation_id,
                    title=_("Your institution has been registered for %(days)d days without filing") % {"days": days},
                    body=_("Submit the filing with the health bureau (备案) before taking children into care."),
                    link=reverse("institution_detail", args=[institution.pk]),
                    kind=KIND_UNFILED,
                )
            if new:
                notify_duty_holders(
                    duty=TOWNSHIP_DUTY,
                    township_code=township.code,
                    title=_("%(n)d institutions registered for %(days)d days without filing")
                    % {"n": len(new), "days": days},
                    body=_names([institution.name for institution in new]),
                    # The township's dashboard lists its institutions and what each waits for.
                    link=url_or_placeholder("township_dashboard", code=township.code),
                    kind=KIND_UNFILED,
                )
        count += len(new)
    return count


# --- Fee above the guide price -------------------------------------------------------------


def fee_reminders(*, today: date) -> int:
    in_force = guides_in_force(PricingGuidance.objects.all(), today)
    guide = in_force.get((FeeSchedule.ServiceMode.FULL_DAY, FeeSchedule.Unit.MONTH))
    if guide is None:
        return 0
    rows = [row for row in inclusive_fee_rows(Institution.objects.all(), guide, today) if row["above"]]
    keys = {(row["institution"], row["fee"], row["excess"]): f"fee:{row['institution'].pk}:{row['fee'].pk}:{guide.pk}"
            for row in rows}  # fmt: skip
    done = already_sent(keys.values())
    keys = {row: key for row, key in keys.items() if key not in done}
    if not keys:
        return 0
    with transaction.atomic():
        new = _claim_new(keys)
        if not new:
            return 0
        lines = [
            _("%(name)s (%(township)s): %(amount)s yuan a month, %(excess)s above")
            % {
                "name": institution.name,
                "township": institution.township.name,
                "amount": fee.amount,
                "excess": excess,
            }  # fmt: skip
            for institution, fee, excess in new
        ]
        title = _("%(n)d inclusive institutions charge above the guide price") % {"n": len(new)}
        intro = _("Full-day guide price in force: %(max)s yuan a month.") % {"max": guide.max_amount}
        body = "\n".join([intro, *lines[:NAMES_IN_MESSAGE]])
        for duty in FEE_DUTIES:
            notify_duty_holders(
                duty=duty, title=title, body=body, link=reverse("pricing_guidance_list"), kind=KIND_FEE_ABOVE_GUIDE
            )
    return len(new)


# --- Family care point over its limit ------------------------------------------------------


def family_point_reminders(*, today: date) -> int:
    limit = parameters.get("family_point.max_children")
    if limit is None:
        return 0
    points = (
        Institution.objects.filter(provider_type=Institution.ProviderType.FAMILY_CARE_POINT)
        .exclude(status__in=IN_SERVICE_EXCLUDED)
        .annotate(enrolled_total=Sum("class_groups__enrolled"))
        .filter(enrolled_total__gt=limit)
        .select_related("township")
        .order_by("township__code", "name")
    )
    keys = {point: f"family-point:{point.pk}:over:{int(limit)}" for point in points}
    done = already_sent(keys.values())
    by_township = defaultdict(dict)
    for point, key in keys.items():
        if key not in done:
            by_township[point.township][point] = key
    count = 0
    for township, township_keys in by_township.items():
        with transaction.atomic():
            new = _claim_new(township_keys)
            if not new:
                continue
            title = _("%(n)d family care points over the limit of %(max)d children in %(township)s") % {
                "n": len(new), "max": int(limit), "township": township.name}  # fmt: skip
            body = "\n".join(
                [_("A family care point that takes more children must register as an institution.")]
                + [
                    _("%(name)s: %(enrolled)d children enrolled") % {"name": p.name, "enrolled": p.enrolled_total}
                    for p in new[:NAMES_IN_MESSAGE]
                ]
            )
            link = reverse("institution_detail", args=[new[0].pk]) if len(new) == 1 else reverse("institution_list")
            notify_duty_holders(
                duty=TOWNSHIP_DUTY,
                township_code=township.code,
                title=title,
                body=body,
                link=link,
                kind=KIND_FAMILY_POINT_OVER_LIMIT,
            )
            notify_duty_holders(duty=REVIEW_DUTY, title=title, body=body, link=link, kind=KIND_FAMILY_POINT_OVER_LIMIT)
        count += len(new)
    return count
