"""Targets and the indicators they are set on."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import Region, User
from dashboard.models import Indicator, Target


def target_list(*, actor: User, region: str = "", indicator: str = "") -> QuerySet:
    queryset = Target.objects.visible_to(actor).select_related("indicator", "region", "set_by")
    if region:
        queryset = queryset.filter(region__code=region)
    if indicator:
        queryset = queryset.filter(indicator__code=indicator)
    return queryset


def indicator_list(*, actor: User) -> QuerySet:
    return Indicator.objects.visible_to(actor)


def target_region_choices(*, actor: User) -> QuerySet:
    """The city and every township: targets are facts every member reads (rule 26), and the
    region codes are public reference data."""
    if not policy.organisations_of(actor):
        return Region.objects.none()
    return Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.TOWNSHIP]).order_by("code")


def target_get(*, actor: User, pk: int) -> Target:
    return policy.get_visible_or_404(actor, Target.objects.select_related("indicator", "region", "set_by"), pk=pk)
