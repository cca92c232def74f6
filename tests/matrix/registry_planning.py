"""Permission matrix of residential areas, the guidance network, fees and pricing guidance.

Who sees what (accounts/policy.py rules 13, 14, 30):
- residential areas: the township in whose territory they lie; the health bureau (targets.manage)
  and the leading group (dashboard.drilldown) see all but record none; the planning bureau
  (no demo account: tests/registry/test_planning.py) sees new ones city-wide;
- guidance sites and guide prices: every member; sites are set up by guidance.manage (the
  health bureau, townships); guide prices by pricing.guide (no demo account);
- fees follow their institution; only its own officers add or delete them.

Objects that a successful request deletes are made afresh for each requester.
"""

from datetime import date
from decimal import Decimal

from tests.permission_matrix import (
    INSTITUTION_A_SIGHT,
    INSTITUTION_B_SIGHT,
    LOGGED_IN,
    MEMBERS,
    Case,
    _api,
)

# Sight of residential areas: the township, the health bureau and the leading group.
AREA_READERS = frozenset({"health", "leader", "simen", "lizhou"})
AREA_A_SIGHT = frozenset({"health", "leader", "simen"})
AREA_B_SIGHT = frozenset({"health", "leader", "lizhou"})
# In sight of every area but recording none: answered 403 on the pages that change one.
AREA_ONLOOKERS = frozenset({"health", "leader"})
GUIDANCE_MANAGERS = frozenset({"health", "simen", "lizhou"})
GUIDANCE_A_KEEPERS = frozenset({"health", "simen"})
GUIDANCE_A_ONLOOKERS = MEMBERS - GUIDANCE_A_KEEPERS


def _area(township_code: str, kind: str = "new"):
    def make(username):
        from accounts.models import Region
        from registry.models import ResidentialArea

        village = Region.objects.filter(parent__code=township_code).order_by("code").first()
        area = ResidentialArea.objects.create(
            name=f"矩阵测试小区-{username}",
            kind=kind,
            village=village,
            township=village.parent,
            population=3000,
            planned_slots=10,
        )
        return {"pk": area.pk}

    return make


def _institution(org_code: str):
    def target(username):
        from registry.models import Institution

        return {"pk": Institution.objects.get(organisation__code=org_code).pk}

    return target


def _fee(org_code: str):
    def make(username):
        from registry.models import FeeSchedule, Institution

        fee = FeeSchedule.objects.create(
            institution=Institution.objects.get(organisation__code=org_code),
            service_mode="full_day",
            amount=Decimal("1999"),
            effective_from=date(2025, 9, 1),
        )
        return {"pk": fee.pk}

    return make


def _station(township_code: str):
    def target(username):
        from registry.models import GuidanceSite

        return {"pk": GuidanceSite.objects.get(level="township_station", region__code=township_code).pk}

    return target


def _point(township_code: str):
    """A fresh village point for each requester (closing one changes it for the next)."""

    def make(username):
        from accounts.models import Region
        from registry.models import GuidanceSite

        village = Region.objects.filter(parent__code=township_code).order_by("code").first()
        site = GuidanceSite.objects.create(name=f"矩阵测试指导点-{username}", level="village_point", region=village)
        site.covered_villages.set([village])
        return {"pk": site.pk}

    return make


TARGETS = {
    "planning_area_a": _area("330281103"),
    "planning_area_b": _area("330281001"),
    "planning_institution_a": _institution("demo-simen-xingxing"),
    "planning_institution_b": _institution("demo-lizhou-yangguang"),
    "planning_fee_a": _fee("demo-simen-xingxing"),
    "planning_fee_b": _fee("demo-lizhou-yangguang"),
    "planning_station_a": _station("330281103"),
    "planning_point_a": _point("330281103"),
}

FEE_DATA = {
    "service_mode": "full_day",
    "amount": "2100",
    "unit": "month",
    "meal_fee": "250",
    "effective_from": "2026-09-01",
}
GUIDE_DATA = {"service_mode": "half_day", "unit": "month", "max_amount": "1500", "effective_from": "2026-09-01"}

CASES = [
    # --- residential areas --------------------------------------------------------------
    Case("residential_area_list", AREA_READERS, denied=403),
    Case("residential_area_create", frozenset({"simen", "lizhou"}), denied=403),
    Case("residential_area_edit", frozenset({"simen"}), target="planning_area_a", visible=AREA_ONLOOKERS),
    Case("residential_area_edit", frozenset({"lizhou"}), target="planning_area_b", visible=AREA_ONLOOKERS),
    Case(
        "residential_area_delete",
        frozenset({"simen"}),
        target="planning_area_a",
        method="post",
        ok=302,
        visible=AREA_ONLOOKERS,
    ),
    Case(
        "residential_area_delete",
        frozenset({"lizhou"}),
        target="planning_area_b",
        method="post",
        ok=302,
        visible=AREA_ONLOOKERS,
    ),
    # --- guidance network ---------------------------------------------------------------
    Case("guidance_site_list", LOGGED_IN),
    Case("guidance_site_detail", MEMBERS, target="planning_station_a"),
    Case("guidance_site_create", GUIDANCE_MANAGERS, denied=403),
    # Every member sees a site; the health bureau and its own township keep it.
    Case("guidance_site_edit", GUIDANCE_A_KEEPERS, target="planning_station_a", visible=GUIDANCE_A_ONLOOKERS),
    Case(
        "guidance_site_close",
        GUIDANCE_A_KEEPERS,
        target="planning_point_a",
        method="post",
        ok=302,
        data={"closed_on": "2026-11-30", "reason": "并入社区指导站"},
        visible=GUIDANCE_A_ONLOOKERS,
    ),
    Case(
        "guidance_activity_add",
        GUIDANCE_A_KEEPERS,
        target="planning_point_a",
        method="post",
        ok=302,
        data={"held_on": "2026-11-20", "kind": "lecture", "title": "科学育儿讲座", "participants": "30"},
        visible=GUIDANCE_A_ONLOOKERS,
    ),
    # --- fees ---------------------------------------------------------------------------
    Case("fee_add", INSTITUTION_A_SIGHT, target="planning_institution_a"),
    Case("fee_add", INSTITUTION_B_SIGHT, target="planning_institution_b"),
    Case(
        "fee_add",
        frozenset({"nursery1"}),
        target="planning_institution_a",
        method="post",
        ok=302,
        data=FEE_DATA,
        visible=INSTITUTION_A_SIGHT,
    ),
    Case(
        "fee_add",
        frozenset({"nursery2"}),
        target="planning_institution_b",
        method="post",
        ok=302,
        data=FEE_DATA,
        visible=INSTITUTION_B_SIGHT,
    ),
    Case(
        "fee_delete",
        frozenset({"nursery1"}),
        target="planning_fee_a",
        method="post",
        ok=302,
        visible=INSTITUTION_A_SIGHT,
    ),
    Case(
        "fee_delete",
        frozenset({"nursery2"}),
        target="planning_fee_b",
        method="post",
        ok=302,
        visible=INSTITUTION_B_SIGHT,
    ),
    # --- pricing guidance ---------------------------------------------------------------
    Case("pricing_guidance_list", LOGGED_IN),
    # Only the development and reform bureau sets guide prices; it has no demo account (see
    # tests/registry/test_planning.py), so everyone in the cast is refused.
    Case("pricing_guidance_create", frozenset(), method="post", denied=403, data=GUIDE_DATA),
    # --- API ----------------------------------------------------------------------------
    _api("api_residential_area_list", AREA_READERS, denied=403),
    _api("api_residential_area_detail", AREA_A_SIGHT, target="planning_area_a"),
    _api("api_residential_area_detail", AREA_B_SIGHT, target="planning_area_b"),
    _api("api_guidance_site_list", LOGGED_IN),
    _api("api_fee_list", INSTITUTION_A_SIGHT, target="planning_institution_a"),
    _api("api_fee_list", INSTITUTION_B_SIGHT, target="planning_institution_b"),
    _api("api_pricing_guidance_list", LOGGED_IN),
]
