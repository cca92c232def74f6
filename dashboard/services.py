"""Writes of the dashboard app: reference data, snapshots, targets and periodic reports."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from accounts.services import notify_duty_holders, notify_organisation
from dashboard import indicators, rules
from dashboard.models import ExportJob, Indicator, PeriodicReport, ReportFigure, Snapshot, Target
from registry.models import Parameter

DATA_DIR = Path(__file__).resolve().parent / "data"
PARAMETERS = [
    {"key": "dashboard.baseline_year", "value": 2020, "label": "看板“新增”指标的基准年", "source": "余姚市实施意见"},
    {
        "key": "dashboard.on_track_percent",
        "value": 90,
        "label": "看板“接近目标”的界线（达到目标值的百分比）",
        "source": "parameter",
    },
]


# --- Reference data ---------------------------------------------------------------------------


@transaction.atomic
def dashboard_reference_load() -> int:
    """Indicators (kept in step with the data file), the shipped targets and parameters
    (values the health bureau changed are kept)."""
    changed = 0
    for item in PARAMETERS:
        _, created = Parameter.objects.get_or_create(
            key=item["key"], defaults={k: item[k] for k in ("value", "label", "source")}
        )
        changed += created
    items = json.loads((DATA_DIR / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    for order, item in enumerate(items):
        fields = {
            "name": item["name"], "name_en": item["name_en"], "unit": item["unit"], "direction": item["direction"],
            "levels": item["levels"], "source": item["source"], "computation": item.get("computation", ""),
            "numerator": item.get("numerator", ""), "denominator": item.get("denominator", ""),
            "drilldown": item.get("drilldown", ""), "description": item.get("description", ""), "order": order,
        }  # fmt: skip
        indicator, created = Indicator.objects.get_or_create(code=item["code"], defaults=fields)
        stale = {key: value for key, value in fields.items() if getattr(indicator, key) != value}
        if stale and not created:
            Indicator.objects.filter(pk=indicator.pk).update(**stale)
        changed += created or bool(stale)
    regions = {region.code: region for region in Region.objects.filter(level__in=["city", "township"])}
    by_code = {indicator.code: indicator for indicator in Indicator.objects.all()}
    for item in json.loads((DATA_DIR / "targets.json").read_text(encoding="utf-8"))["targets"]:
        _, created = Target.objects.get_or_create(
            indicator=by_code[item["indicator"]], region=regions[item["region"]], year=item["year"],
            defaults={"value": Decimal(str(item["value"])), "source": item["source"]},
        )  # fmt: skip
        changed += created
    return changed


# --- Snapshots --------------------------------------------------------------------------------


def compute_all(day: date) -> dict[str, dict[str, dict]]:
    """{region code: {indicator code: figure json}} for the city and every township."""
    ctx = indicators.load_context(day)
    values: dict[str, dict[str, dict]] = {code: {} for code in [ctx.city.code, *ctx.codes]}
    for indicator in Indicator.objects.all():
        if indicator.source == Indicator.Source.LIVE:
            figures = indicators.LIVE[indicator.computation](ctx)
        else:
            figures = indicators.from_reports(ctx, indicator.numerator, indicator.denominator)
        for code, figure in figures.items():
            if code in values:
                values[code][indicator.code] = figure.as_json()
    return values


@transaction.atomic
def snapshots_refresh(*, day: date | None = None) -> int:
    """Recompute every region's snapshot (idempotent: the same data gives the same snapshot).
    The values of ``day``'s year are written into the history too, so the trend builds up year
    by year; past years stay as they were recorded."""
    day = day or timezone.localdate()
    computed = compute_all(day)
    regions = {region.code: region for region in Region.objects.filter(code__in=list(computed))}
    existing = {snapshot.region_id: snapshot for snapshot in Snapshot.objects.filter(region__in=regions.values())}
    now = timezone.now()
    for code, values in computed.items():
        region = regions[code]
        snapshot = existing.get(region.pk) or Snapshot(region=region)
        history = dict(snapshot.history or {})
        for indicator_code, figure in values.items():
            history.setdefault(indicator_code, {})[str(day.year)] = figure["value"]
        snapshot.values, snapshot.history, snapshot.computed_at = values, history, now
        snapshot.save()
    return len(computed)


def status_against(value: Decimal | None, target: Decimal | None, direction: str, on_track_percent) -> str:
    """met / on_track / behind, or "" without a value or a target. On track: within the
    bureau's margin of the target (``dashboard.on_track_percent`` of it, default 90%)."""
    if value is None or target is None:
        return ""
    margin = Decimal(on_track_percent or 90) / 100
    if direction == Indicator.Direction.LOWER:
        if value <= target:
            return "met"
        return "on_track" if target and value * margin <= target else "behind"
    if value >= target:
        return "met"
    return "on_track" if value >= target * margin else "behind"


# --- Targets ----------------------------------------------------------------------------------


@transaction.atomic
def target_set(*, actor, indicator: Indicator, region: Region, year: int, value, source: str = "") -> Target:
    organisation = policy.acting_organisation(actor, rules.TARGETS_DUTY)
    if organisation is None:
        raise PermissionDenied(rules.TARGETS_DUTY)
    if region.level not in indicator.levels:
        raise ApplicationError(
            _("This indicator is not set for this kind of region."), fields={"region": [_("Not applicable.")]}
        )
    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(_("Give a year between 2000 and 2100."), fields={"year": [_("Out of range.")]})
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        raise ApplicationError(_("A target is a number."), fields={"value": [_("Not a number.")]}) from None
    if value < 0 or (indicator.unit == Indicator.Unit.PERCENT and value > 100):
        raise ApplicationError(_("This target is out of range."), fields={"value": [_("Out of range.")]})
    target, created = Target.objects.update_or_create(
        indicator=indicator, region=region, year=year,
        defaults={"value": value, "source": source, "set_by": organisation, "updated_at": timezone.now()},
    )  # fmt: skip
    audit.record(actor=actor, event="target.set", obj=target, details={"value": str(value), "created": created})
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    policy.require_duty(actor, rules.TARGETS_DUTY)
    audit.record(actor=actor, event="target.deleted", obj=target, details={"value": str(target.value)})
    target.delete()


# --- Periodic reports -------------------------------------------------------------------------


def clean_figures(figures: dict) -> dict:
    """Whole numbers ≥ 0 for the known figures; a share's part cannot exceed its whole."""
    cleaned, errors = {}, {}
    for key, raw in (figures or {}).items():
        if key not in ReportFigure.values:
            errors[key] = [_("Unknown figure.")]
            continue
        if raw in (None, ""):
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[key] = [_("A whole number.")]
            continue
        if number < 0 or number > 100_000_000:
            errors[key] = [_("Between 0 and 100,000,000.")]
            continue
        cleaned[key] = number
    for part, whole in (("children_health_managed", "children_under_3"), ("parents_knowing", "parents_surveyed"),
                        ("children_in_care", "children_under_3"), ("children_under_3", "population")):  # fmt: skip
        if part in cleaned and whole in cleaned and cleaned[part] > cleaned[whole]:
            errors[part] = [_("Cannot be more than %(whole)s.") % {"whole": ReportFigure(whole).label}]
    if errors:
        raise ApplicationError(_("Please correct the figures."), fields=errors)
    if not cleaned:
        raise ApplicationError(_("Give at least one figure."))
    return cleaned


@transaction.atomic
def report_save(
    *, actor, year: int, figures: dict, source: str, report: PeriodicReport | None = None
) -> PeriodicReport:
    """Create or change a draft (or a returned report) of the actor's region."""
    place = rules.reporting_region(actor)
    if place is None:
        raise PermissionDenied(rules.SUBMIT_DUTY)
    organisation, region = place
    if not source.strip():
        raise ApplicationError(_("Say where the figures come from."), fields={"source": [_("Required.")]})
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise ApplicationError(_("Give a year up to this year."), fields={"year": [_("Out of range.")]})
    cleaned = clean_figures(figures)
    if report is None:
        if PeriodicReport.objects.filter(region=region, year=year).exists():
            raise ApplicationError(
                _("There is already a report for %(year)s: change it, or correct the approved one.") % {"year": year},
                fields={"year": [_("Already reported.")]},
            )
        report = PeriodicReport(region=region, year=year, organisation=organisation)
    else:
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        if report.region_id != region.pk:
            raise PermissionDenied(rules.SUBMIT_DUTY)
        if report.status not in (PeriodicReport.Status.DRAFT, PeriodicReport.Status.RETURNED):
            raise ApplicationError(_("A submitted or approved report is locked."))
    report.figures, report.source = cleaned, source.strip()
    report.save()
    audit.record(actor=actor, event="report.saved", obj=report, details={"figures": cleaned})
    return report


@transaction.atomic
def report_submit(*, actor, report: PeriodicReport) -> PeriodicReport:
    place = rules.reporting_region(actor)
    if place is None or place[1].pk != report.region_id:
        raise PermissionDenied(rules.SUBMIT_DUTY)
    if not PeriodicReport.objects.filter(
        pk=report.pk, status__in=[PeriodicReport.Status.DRAFT, PeriodicReport.Status.RETURNED]
    ).update(status=PeriodicReport.Status.SUBMITTED, submitted_at=timezone.now()):
        raise ApplicationError(_("Only a draft or a returned report can be submitted."))
    report.refresh_from_db()
    audit.record(actor=actor, event="report.submitted", obj=report)
    title = _("Indicator report submitted: %(region)s %(year)s") % {"region": report.region.name, "year": report.year}
    notify_duty_holders(rules.APPROVE_DUTY, title, link=reverse("report_detail", args=[report.pk]))
    return report


@transaction.atomic
def report_correct(*, actor, report: PeriodicReport, figures: dict, source: str) -> PeriodicReport:
    """A new version of an approved report; it replaces the approved one only once approved."""
    place = rules.reporting_region(actor)
    if place is None or place[1].pk != report.region_id:
        raise PermissionDenied(rules.SUBMIT_DUTY)
    if report.status != PeriodicReport.Status.APPROVED:
        raise ApplicationError(_("Only an approved report is corrected by a new version; change the draft instead."))
    if hasattr(report, "correction"):
        raise ApplicationError(_("A correction of this report is already under way."))
    if not source.strip():
        raise ApplicationError(_("Say where the figures come from."), fields={"source": [_("Required.")]})
    correction = PeriodicReport.objects.create(
        region=report.region, year=report.year, version=report.version + 1, corrects=report,
        figures=clean_figures(figures), source=source.strip(), organisation=place[0],
    )  # fmt: skip
    audit.record(actor=actor, event="report.correction_started", obj=correction, details={"corrects": report.pk})
    return correction


def _approver(actor) -> Organisation:
    organisation = policy.acting_organisation(actor, rules.APPROVE_DUTY)
    if organisation is None:
        raise PermissionDenied(rules.APPROVE_DUTY)
    return organisation


@transaction.atomic
def report_approve(*, actor, report: PeriodicReport) -> PeriodicReport:
    _approver(actor)
    locked = PeriodicReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None or locked.status != PeriodicReport.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted report can be approved."))
    if locked.corrects_id:
        PeriodicReport.objects.filter(pk=locked.corrects_id, status=PeriodicReport.Status.APPROVED).update(
            status=PeriodicReport.Status.SUPERSEDED
        )
    locked.status, locked.decided_by, locked.decided_at = PeriodicReport.Status.APPROVED, actor, timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "decided_by", "decided_at"])
    except IntegrityError:
        raise ApplicationError(_("Another approved report of this region and year already counts.")) from None
    audit.record(actor=actor, event="report.approved", obj=locked, details={"version": locked.version})
    notify_organisation(locked.organisation_id, _("Indicator report approved: %(year)s") % {"year": locked.year})
    transaction.on_commit(schedule_refresh)
    return locked


@transaction.atomic
def report_return(*, actor, report: PeriodicReport, reason: str) -> PeriodicReport:
    _approver(actor)
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the report is returned."), fields={"reason": [_("Required.")]})
    if not PeriodicReport.objects.filter(pk=report.pk, status=PeriodicReport.Status.SUBMITTED).update(
        status=PeriodicReport.Status.RETURNED, return_reason=reason.strip(), decided_by=actor, decided_at=timezone.now()
    ):
        raise ApplicationError(_("Only a submitted report can be returned."))
    report.refresh_from_db()
    audit.record(actor=actor, event="report.returned", obj=report, details={"reason": reason.strip()})
    notify_organisation(
        report.organisation_id, _("Indicator report returned: %(year)s") % {"year": report.year}, reason
    )
    return report


def reports_approve_many(*, actor, reports: list[PeriodicReport]) -> tuple[int, list[str]]:
    """Bulk approval: each report on its own (one that cannot be approved does not stop the
    others); returns how many were approved and the messages of those that were not."""
    _approver(actor)
    approved, problems = 0, []
    for report in reports:
        try:
            report_approve(actor=actor, report=report)
            approved += 1
        except ApplicationError as error:
            problems.append(f"{report}: {error.message}")
    return approved, problems


# --- Refresh on change ------------------------------------------------------------------------


def export_job_create(*, actor, region: Region) -> ExportJob:
    """A pending export of ``region`` for ``actor``; the caller checks the region is in sight,
    records the request and queues the run (``dashboard.exports.export_job_start``)."""
    return ExportJob.objects.create(region=region, requested_by=actor)


def schedule_refresh() -> None:
    """Ask for a snapshot refresh soon. With a broker, one task per minute at most (a cache
    key debounces bursts of changes); without one (development, tests) nothing is queued:
    the beat-less embedded mode refreshes on demand and when the demo data is loaded."""
    from django.conf import settings
    from django.core.cache import cache

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    if cache.add("dashboard:refresh-queued", True, timeout=60):
        from dashboard.tasks import snapshots_refresh_task

        snapshots_refresh_task.apply_async(countdown=60)
