"""Periodic reports: the list, one report and its versions, the approval queue."""

from django.db.models import QuerySet
from django.http import Http404

from accounts import policy
from accounts.models import Region, User
from dashboard.models import PeriodicReport


def report_list(*, actor: User, status: str = "", year: int | None = None, region: str = "") -> QuerySet:
    queryset = PeriodicReport.objects.visible_to(actor).select_related("region", "organisation", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if year:
        queryset = queryset.filter(year=year)
    if region:
        queryset = queryset.filter(region__code=region)
    return queryset


def report_get(*, actor: User, pk: int) -> PeriodicReport:
    queryset = PeriodicReport.objects.select_related("region", "organisation", "decided_by", "corrects")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def report_region_choices(*, actor: User) -> QuerySet:
    """The city and townships within the user's sight, for the report filter."""
    levels = [Region.Level.CITY, Region.Level.TOWNSHIP]
    return policy.regions_visible_to(actor, Region.objects.filter(level__in=levels)).order_by("code")


def report_versions(*, actor: User, report: PeriodicReport) -> list[PeriodicReport]:
    """Every version of the report's region and year in sight, oldest first (a correction and
    the report it corrects share both)."""
    return list(
        report_list(actor=actor)
        .filter(region_id=report.region_id, year=report.year)
        .select_related(None)
        .select_related("decided_by")
        .order_by("version")
    )


def reports_for_approval(*, actor: User, ids) -> tuple[list[PeriodicReport], list[int]]:
    """The reports of ``ids`` in the user's sight, and the ids that are not: those answer as
    "not found" whether they exist elsewhere or not (an existing one is written to the security
    log, as any out-of-sight request), so a bulk request cannot confirm other tenants' ids."""
    wanted = sorted({int(pk) for pk in ids})
    found = list(report_list(actor=actor).filter(pk__in=wanted).order_by("year", "region__code", "version"))
    missing = sorted(set(wanted) - {report.pk for report in found})
    for pk in missing:
        try:
            report_get(actor=actor, pk=pk)  # logs an out-of-sight attempt; always raises here
        except Http404:
            pass
    return found, missing
