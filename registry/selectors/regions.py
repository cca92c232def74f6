"""Regions as the registry's forms and imports need them: villages, townships, codes."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import Region, User


def village_list(*, actor: User) -> QuerySet:
    """Villages and communities inside the regions the user sees, with their township, in code
    order (a department sees the whole city, a township its own villages)."""
    return (
        policy.regions_visible_to(actor, Region.objects.filter(level=Region.Level.VILLAGE))
        .select_related("parent")
        .order_by("code")
    )


def township_list(*, actor: User) -> QuerySet:
    return policy.regions_visible_to(actor, Region.objects.filter(level=Region.Level.TOWNSHIP)).order_by("code")


def regions_by_code(*, actor: User, codes) -> dict[str, Region]:
    """Regions by statistical code, whoever asks: the division codes are public reference data,
    so an import can tell "no such code" from "outside your territory" (the caller judges the
    territory)."""
    codes = {str(code) for code in codes if code}
    return {region.code: region for region in Region.objects.filter(code__in=codes).select_related("parent")}
