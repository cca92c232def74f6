"""Periodic reports: figures a region submits, the health bureau approves or returns."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from accounts.services import notify_duty_holders, notify_organisation
from dashboard import rules
from dashboard.models import FIGURE_MAX, PeriodicReport, ReportFigure
from dashboard.services.snapshots import schedule_refresh


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
        if number < 0 or number > FIGURE_MAX:
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
    *, actor, year: int, figures: dict, source: str, report: PeriodicReport | None = None, region_code: str = ""
) -> PeriodicReport:
    """Create or change a draft (or a returned report) of the actor's region.

    A caller that names a region (``region_code``, the API's ``region``) is held to it: a region
    out of the actor's sight answers 404, another region in sight is refused with the field;
    neither falls back to the actor's own region."""
    place = rules.reporting_region(actor)
    if place is None:
        raise PermissionDenied(rules.SUBMIT_DUTY)
    organisation, region = place
    if region_code and region_code != region.code:
        policy.get_visible_or_404(actor, Region.objects.all(), code=region_code)
        raise ApplicationError(
            _("You report only for %(region)s.") % {"region": region.name},
            fields={"region": [_("Not the region you report for.")]},
        )
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
    notify_duty_holders(duty=rules.APPROVE_DUTY, title=title, link=reverse("report_detail", args=[report.pk]))
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
    notify_organisation(
        organisation_id=locked.organisation_id, title=_("Indicator report approved: %(year)s") % {"year": locked.year}
    )
    schedule_refresh()
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
        organisation_id=report.organisation_id,
        title=_("Indicator report returned: %(year)s") % {"year": report.year},
        body=reason,
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
