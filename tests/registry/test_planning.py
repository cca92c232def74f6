"""Residential areas and their care slots, the guidance network, fees and pricing guidance.

The cast is in tests/conftest.py. The planning bureau (nrpb) and the development and reform
bureau (ndrc) have no demo account: ``_officer`` makes one.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Region, User
from registry import selectors, slots
from registry.models import (
    FeeSchedule,
    GuidanceActivity,
    GuidanceSite,
    Institution,
    Parameter,
    PricingGuidance,
    ResidentialArea,
)
from registry.services import planning
from registry.services.institutions import institution_create
from tests.factories import ResidentialAreaFactory, UserFactory, village_of
from tests.helpers import messages_of, text_of

SIMEN = "330281103"
LIZHOU = "330281001"
YANGMING = "330281004"


def _officer(code: str) -> User:
    return UserFactory(real_name=f"测试·{code}", member_of=code)


def _area(township_code: str, *, kind="new", population=3000, planned=10, name="测试小区") -> ResidentialArea:
    return ResidentialAreaFactory(
        township_code=township_code, name=name, kind=kind, population=population, planned_slots=planned
    )


def _area_form(village: Region, **overrides) -> dict:
    data = {
        "name": "测试新区",
        "kind": "new",
        "village": village.pk,
        "population": "4100",
        "planned_slots": "20",
        "note": "",
    }
    data.update(overrides)
    return data


def _events(event: str) -> int:
    return AuditEvent.objects.filter(event=event).count()


# --- Required slots and the gap ---------------------------------------------------------


def test_required_slots_are_rounded_up_at_9_per_1000_in_new_and_6_in_old_areas(db):
    params = slots.slot_parameters()
    new = ResidentialArea(kind="new", population=8200, planned_slots=60)
    old = ResidentialArea(kind="old", population=12500, planned_slots=40)
    assert slots.required_slots(new, params) == 74  # 73.8 rounded up
    assert slots.required_slots(old, params) == 75
    assert slots.slot_gap(new, params) == 14  # a shortfall
    assert slots.slot_gap(ResidentialArea(kind="old", population=1000, planned_slots=9), params) == -3  # a surplus


def test_a_change_of_the_standard_changes_the_required_slots(db):
    Parameter.objects.filter(key="slots_per_1000.new").update(value=Decimal("10"))
    area = ResidentialArea(kind="new", population=8200, planned_slots=60)
    assert slots.required_slots(area, slots.slot_parameters()) == 82


def test_without_a_standard_no_slots_are_required_and_the_totals_say_so(cast):
    Parameter.objects.filter(key="slots_per_1000.old").update(value=None)
    params = slots.slot_parameters()
    assert slots.required_slots(ResidentialArea(kind="old", population=12500), params) is None
    summary = selectors.residential_area_summary(actor=cast["simen"])
    assert summary["townships"][0]["complete"] is False


def test_the_township_totals_sum_each_areas_rounded_up_slots(cast):
    def totals() -> dict:
        (simen,) = selectors.residential_area_summary(actor=cast["simen"])["townships"]  # its own areas only
        return simen

    before = totals()
    ResidentialAreaFactory(kind="new", population=1010, planned_slots=5)  # 9.09 → 10: short by 5
    ResidentialAreaFactory(kind="new", population=1010, planned_slots=15)  # 10: 5 to spare
    ResidentialAreaFactory(kind="old", population=5000, planned_slots=40, township_code=LIZHOU)  # not 泗门镇's
    after = totals()
    assert after["code"] == SIMEN and after["areas"] == before["areas"] + 2
    assert after["population"] == before["population"] + 2020
    assert after["required"] == before["required"] + 20  # a sum of ceilings: not ⌈18.18⌉ = 19
    assert after["planned"] == before["planned"] + 20
    assert after["gap"] == after["required"] - after["planned"] == before["gap"]
    assert after["short"] == (after["gap"] > 0) and after["areas_short"] == before["areas_short"] + 1


def test_the_list_page_shows_required_slots_gaps_and_township_totals(client_as):
    own = ResidentialAreaFactory(kind="new", population=8200, planned_slots=60)  # 73.8 → 74
    neighbours = ResidentialAreaFactory(township_code=LIZHOU)
    response = client_as("simen").get("/registry/residential-areas/")
    assert response.status_code == 200
    rows = {area.name: area for area in response.context["rows"]}
    garden = rows[own.name]
    assert (garden.required_slots, garden.gap, garden.short, garden.can_change) == (74, 14, True, True)
    html = response.content.decode()
    assert "【演示】梨洲街道江景苑" not in html and neighbours.name not in html
    assert "table-warning" in html  # the shortfall is highlighted


def test_the_health_bureau_sees_all_townships_and_filters_by_one(client_as):
    client = client_as("health")
    everything = client.get("/registry/residential-areas/")
    assert {row["code"] for row in everything.context["summary"]["townships"]} >= {SIMEN, LIZHOU, YANGMING}
    assert not any(area.can_change for area in everything.context["rows"])  # sees all, records none
    lizhou = client.get(f"/registry/residential-areas/?township={LIZHOU}")
    assert {area.township.code for area in lizhou.context["rows"]} == {LIZHOU}


def test_a_filter_outside_ones_sight_lists_nothing_and_says_so(client_as):
    response = client_as("simen").get(f"/registry/residential-areas/?township={LIZHOU}")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["filter"].errors
    assert response.context["summary"]["townships"] == []


# --- Recording residential areas --------------------------------------------------------


def test_a_township_records_an_area_in_its_own_territory(client_as):
    before = _events("residential_area.created")
    village = village_of(SIMEN, 2)
    response = client_as("simen").post("/registry/residential-areas/new/", _area_form(village))
    assert response.status_code == 302
    area = ResidentialArea.objects.get(name="测试新区")
    assert (area.village, area.township.code, area.population) == (village, SIMEN, 4100)
    assert _events("residential_area.created") == before + 1


def test_a_township_cannot_record_an_area_in_another_township(client_as, cast):
    village = village_of(LIZHOU)
    response = client_as("simen").post("/registry/residential-areas/new/", _area_form(village))
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not ResidentialArea.objects.filter(name="测试新区").exists()
    with pytest.raises(ApplicationError):
        planning.residential_area_save(
            actor=cast["simen"], name="测试新区", kind="new", village=village, population=100, planned_slots=0
        )
    assert not ResidentialArea.objects.filter(name="测试新区").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"population": "-5"},
        {"population": "many"},
        {"planned_slots": ""},
        {"kind": "huge"},
        {"village": "99999999"},
        {"name": ""},
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(overrides, client_as):
    data = {**_area_form(village_of(SIMEN)), **overrides}
    response = client_as("simen").post("/registry/residential-areas/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ResidentialArea.objects.filter(name="测试新区").exists()


def test_a_township_edits_and_deletes_its_own_area(client_as):
    area = _area(SIMEN, population=5000, planned=10)
    client = client_as("simen")
    assert client.get(f"/registry/residential-areas/{area.pk}/edit/").status_code == 200
    response = client.post(
        f"/registry/residential-areas/{area.pk}/edit/", _area_form(area.village, name="改名小区", planned_slots="60")
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.planned_slots) == ("改名小区", 60)
    assert slots.slot_gap(area, slots.slot_parameters()) == 37 - 60  # 4,100 new: 36.9 → 37
    before = _events("residential_area.deleted")
    assert client.post(f"/registry/residential-areas/{area.pk}/delete/").status_code == 302
    assert not ResidentialArea.objects.filter(pk=area.pk).exists()
    assert _events("residential_area.deleted") == before + 1


def test_another_township_cannot_see_an_area_outside_its_territory(client_as):
    area = _area(SIMEN)
    client = client_as("lizhou")
    assert client.get(f"/registry/residential-areas/{area.pk}/edit/").status_code == 404
    assert client.post(f"/registry/residential-areas/{area.pk}/delete/").status_code == 404
    assert client.get(f"/api/v1/residential-areas/{area.pk}/").status_code == 404
    assert area.name not in client.get("/registry/residential-areas/").content.decode()
    assert ResidentialArea.objects.filter(pk=area.pk).exists()


def test_who_sees_all_but_records_none_is_refused(client_as, cast):
    area = _area(SIMEN)
    client = client_as("health")
    assert client.get("/registry/residential-areas/new/").status_code == 403
    assert client.post(f"/registry/residential-areas/{area.pk}/edit/", _area_form(area.village)).status_code == 403
    assert client.post(f"/registry/residential-areas/{area.pk}/delete/").status_code == 403
    with pytest.raises(PermissionDenied):
        planning.residential_area_save(
            actor=cast["health"], name="x", kind="new", village=area.village, population=1, planned_slots=0
        )
    assert ResidentialArea.objects.filter(pk=area.pk, name="测试小区").exists()


def test_the_planning_bureau_sees_and_records_new_areas_city_wide_but_not_old_ones(client, db):
    nrpb = _officer("nrpb")
    client.force_login(nrpb)
    listed = client.get("/registry/residential-areas/")
    assert listed.status_code == 200
    names = {area.name for area in listed.context["rows"]}
    assert {"【演示】泗门镇新城花园", "【演示】梨洲街道江景苑", "【演示】阳明街道未来社区"} <= names
    assert not {"【演示】泗门镇老街片区", "【演示】梨洲街道老城区"} & names
    old = ResidentialArea.objects.get(name="【演示】梨洲街道老城区")
    assert client.get(f"/api/v1/residential-areas/{old.pk}/").status_code == 404
    api = client.get("/api/v1/residential-areas/").json()
    assert {row["kind"] for row in api["results"]} == {"new"}

    village = village_of(YANGMING, 1)
    assert client.post("/registry/residential-areas/new/", _area_form(village)).status_code == 302
    assert ResidentialArea.objects.get(name="测试新区").township.code == YANGMING
    refused = client.post("/registry/residential-areas/new/", _area_form(village, name="测试老区", kind="old"))
    assert refused.status_code == 200 and refused.context["form"].errors["kind"]
    assert not ResidentialArea.objects.filter(name="测试老区").exists()


def test_the_api_gives_required_slots_and_the_gap(client_as):
    new = ResidentialAreaFactory(kind="new", population=8200, planned_slots=60)  # 9 per 1,000: 73.8 → 74
    old = ResidentialAreaFactory(kind="old", population=12500, planned_slots=40)  # 6 per 1,000: 75
    response = client_as("simen").get("/api/v1/residential-areas/", {"page_size": 1000})
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert (rows[new.name]["required_slots"], rows[new.name]["gap"]) == (74, 14)
    assert (rows[old.name]["required_slots"], rows[old.name]["gap"]) == (75, 35)
    assert client_as("fire").get("/api/v1/residential-areas/").status_code == 403


# --- The guidance network ---------------------------------------------------------------


def _site_form(region: Region, villages=(), **overrides) -> dict:
    data = {
        "name": "测试指导点",
        "level": "village_point",
        "region": region.pk,
        "address": "测试地址",
        "covered_villages": [v.pk for v in villages],
        "opened_on": "2026-03-01",
    }
    data.update(overrides)
    return data


def test_a_township_sets_up_a_village_point_in_its_territory(client_as):
    village = village_of(SIMEN, 4)
    before = _events("guidance_site.created")
    response = client_as("simen").post("/registry/guidance/new/", _site_form(village, [village]))
    assert response.status_code == 302
    site = GuidanceSite.objects.get(name="测试指导点")
    assert (site.level, site.region, list(site.covered_villages.all())) == ("village_point", village, [village])
    assert _events("guidance_site.created") == before + 1
    detail = client_as("lizhou").get(f"/registry/guidance/{site.pk}/")  # every member sees the network
    assert detail.status_code == 200 and village.name in detail.content.decode()


def test_a_township_cannot_place_a_site_or_cover_villages_outside_its_territory(client_as, cast):
    client = client_as("simen")
    outside = village_of(LIZHOU)
    response = client.post("/registry/guidance/new/", _site_form(outside, [outside]))
    assert response.status_code == 200 and response.context["form"].errors
    own = village_of(SIMEN, 4)
    response = client.post("/registry/guidance/new/", _site_form(own, [own, outside]))
    assert response.status_code == 200 and response.context["form"].errors
    with pytest.raises(ApplicationError):
        planning.guidance_site_save(
            actor=cast["simen"], name="测试指导点", level="village_point", region=own, covered_villages=[own, outside]
        )
    with pytest.raises(ApplicationError):  # the city centre is the health bureau's
        planning.guidance_site_save(
            actor=cast["simen"], name="测试指导点", level="city_centre", region=Region.objects.get(code="330281")
        )
    assert not GuidanceSite.objects.filter(name="测试指导点").exists()


def test_the_health_bureau_sets_up_sites_at_any_level_and_others_are_refused(client_as, cast):
    township = Region.objects.get(code=YANGMING)
    villages = list(Region.objects.filter(parent=township).order_by("code")[:3])
    response = client_as("health").post(
        "/registry/guidance/new/", _site_form(township, villages, name="阳明街道指导站", level="township_station")
    )
    assert response.status_code == 302
    assert GuidanceSite.objects.get(name="阳明街道指导站").covered_villages.count() == 3
    assert client_as("fire").post("/registry/guidance/new/", _site_form(township)).status_code == 403
    with pytest.raises(PermissionDenied):
        planning.guidance_site_save(actor=cast["leader"], name="x", level="township_station", region=township)


def test_a_site_must_sit_in_a_region_of_its_level(cast):
    with pytest.raises(ApplicationError):  # a station sits in a township, not a village
        planning.guidance_site_save(
            actor=cast["health"], name="错位指导站", level="township_station", region=village_of(SIMEN)
        )
    assert not GuidanceSite.objects.filter(name="错位指导站").exists()


def test_a_township_changes_its_own_station_but_not_another_townships(cast):
    own = GuidanceSite.objects.get(level="township_station", region__code=SIMEN)
    villages = list(Region.objects.filter(parent__code=SIMEN).order_by("code")[:5])
    site = planning.guidance_site_save(
        actor=cast["simen"], site=own, name=own.name, level=own.level, region=own.region, covered_villages=villages
    )
    assert site.pk == own.pk and site.covered_villages.count() == 5
    other = GuidanceSite.objects.get(level="township_station", region__code=LIZHOU)
    with pytest.raises(PermissionDenied):
        planning.guidance_site_save(
            actor=cast["simen"], site=other, name="改名", level=other.level, region=Region.objects.get(code=SIMEN)
        )
    other.refresh_from_db()
    assert other.name != "改名" and other.region.code == LIZHOU


def test_bad_guidance_input_is_a_form_error(client_as):
    village = village_of(SIMEN, 4)
    for overrides in ({"level": "palace"}, {"region": "abc"}, {"covered_villages": ["abc"]}, {"opened_on": "soon"}):
        response = client_as("simen").post("/registry/guidance/new/", {**_site_form(village), **overrides})
        assert response.status_code == 200 and response.context["form"].errors
    assert not GuidanceSite.objects.filter(name="测试指导点").exists()


def test_the_network_is_listed_by_level_with_villages_covered(client_as):
    response = client_as("nursery1").get("/registry/guidance/")
    assert response.status_code == 200
    sites = list(response.context["page"])
    assert sites[0].level == "city_centre"
    station = next(site for site in sites if site.level == "township_station")
    assert station.villages_covered == 3
    counts = {value: count for value, _label, count in response.context["levels"]}
    assert counts["township_station"] >= 2 and counts["village_point"] >= 4
    points = client_as("nursery1").get("/registry/guidance/?level=village_point").context["page"]
    assert {site.level for site in points} == {"village_point"}


def test_the_guidance_api_lists_sites_with_their_villages(client_as):
    body = client_as("simen").get("/api/v1/guidance-sites/?level=township_station").json()
    assert body["results"] and all(
        len(site["covered_village_codes"]) == site["villages_covered"] for site in body["results"]
    )


def _simen_point() -> GuidanceSite:
    village = village_of(SIMEN, 4)
    site = GuidanceSite.objects.create(
        name="测试指导点", level="village_point", region=village, opened_on=date(2026, 3, 1)
    )
    site.covered_villages.set([village])
    return site


def test_a_township_edits_its_own_site_and_gives_it_a_contact(client_as):
    site = _simen_point()
    village = site.region
    form = _site_form(village, [village], name="测试指导点（新）", contact_name="王老师", contact_phone="0574-62000000")
    before = _events("guidance_site.updated")
    assert client_as("lizhou").post(f"/registry/guidance/{site.pk}/edit/", form).status_code == 403
    page = client_as("simen").get(f"/registry/guidance/{site.pk}/edit/")
    assert page.context["form"].initial["name"] == "测试指导点"
    response = client_as("simen").post(f"/registry/guidance/{site.pk}/edit/", form)
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.contact_name, site.contact_phone) == ("测试指导点（新）", "王老师", "0574-62000000")
    assert _events("guidance_site.updated") == before + 1
    assert "王老师" in text_of(client_as("nursery1").get(f"/registry/guidance/{site.pk}/"))


def test_closing_a_site_keeps_it_on_record_and_frees_its_villages(client_as):
    site = _simen_point()
    village_code = site.region.code
    client = client_as("simen")
    response = client.post(f"/registry/guidance/{site.pk}/close/", {"closed_on": "2026-11-30", "reason": "并入社区"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.closed_on == date(2026, 11, 30) and site.closed_reason == "并入社区"
    assert not site.covered_villages.exists()
    event = AuditEvent.objects.filter(event="guidance_site.closed").latest("pk")
    assert event.after["covered_villages"] == [village_code]
    listed = text_of(client.get("/registry/guidance/?level=village_point"))
    assert "测试指导点</a> <span" in listed and "已关闭" in listed
    # closed means closed: no edit, no activity, no second closing
    edit = client.post(f"/registry/guidance/{site.pk}/edit/", _site_form(site.region, name="复活"), follow=True)
    assert messages_of(edit) == ["该指导站点已关闭，不能再修改。"]
    activity = {"held_on": "2026-12-01", "kind": "lecture", "title": "讲座", "participants": "10"}
    client.post(f"/registry/guidance/{site.pk}/activities/", activity)
    site.refresh_from_db()
    assert site.name == "测试指导点" and not site.activities.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"closed_on": "2026-11-30", "reason": "  "},
        {"closed_on": "2026-01-01", "reason": "开办前"},  # before it opened
        {"closed_on": "soon", "reason": "x"},
        {"closed_on": "9999-12-31", "reason": "x"},
    ],
)
def test_a_closing_without_a_reason_or_with_a_bad_date_is_refused_with_a_message(client_as, data):
    site = _simen_point()
    response = client_as("simen").post(f"/registry/guidance/{site.pk}/close/", data)
    assert response.status_code == 200 and response.context["close_form"].errors
    assert re.search("[\u4e00-\u9fff]", str(response.context["close_form"].errors))
    site.refresh_from_db()
    assert not site.is_closed and site.covered_villages.exists()


def test_a_site_s_activities_are_recorded_and_listed(client_as):
    site = _simen_point()
    before = _events("guidance_activity.recorded")
    data = {"held_on": "2026-11-20", "kind": "home_visit", "title": "入户育儿指导", "participants": "12"}
    assert client_as("simen").post(f"/registry/guidance/{site.pk}/activities/", data).status_code == 302
    assert _events("guidance_activity.recorded") == before + 1
    page = text_of(client_as("lizhou").get(f"/registry/guidance/{site.pk}/"))
    assert "入户育儿指导" in page and "入户指导" in page
    for bad in ({"participants": "-1"}, {"held_on": "2026-02-01"}, {"kind": "party"}, {"title": ""}):
        response = client_as("simen").post(f"/registry/guidance/{site.pk}/activities/", {**data, **bad})
        assert response.status_code == 200 and response.context["activity_form"].errors
    assert site.activities.count() == 1


def test_the_institution_page_links_to_its_fee_page(client_as):
    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    page = client_as("simen").get(f"/registry/institutions/{institution.pk}/").content.decode()
    assert f'href="/registry/institutions/{institution.pk}/fees/"' in page


# --- Fees -------------------------------------------------------------------------------

FEE = {
    "service_mode": "full_day",
    "age_band": "",
    "amount": "2300",
    "unit": "month",
    "meal_fee": "280",
    "effective_from": "2026-09-01",
}


def _institution(org_code: str) -> Institution:
    return Institution.objects.get(organisation__code=org_code)


def test_an_institution_adds_a_fee_to_its_own_record(client_as):
    own = _institution("demo-simen-xingxing")
    before = _events("fee.created")
    response = client_as("nursery1").post(f"/registry/institutions/{own.pk}/fees/", FEE)
    assert response.status_code == 302
    assert own.fees.filter(amount=Decimal("2300"), meal_fee=Decimal("280")).exists()
    assert _events("fee.created") == before + 1
    page = client_as("simen").get(f"/registry/institutions/{own.pk}/fees/")  # the township reads them
    assert page.status_code == 200 and "2300" in page.content.decode() and page.context["form"] is None


def test_an_institution_cannot_add_a_fee_to_another_institution(client_as):
    other = _institution("demo-lizhou-yangguang")
    count = other.fees.count()
    assert client_as("nursery1").post(f"/registry/institutions/{other.pk}/fees/", FEE).status_code == 404
    assert client_as("lizhou").post(f"/registry/institutions/{other.pk}/fees/", FEE).status_code == 403
    assert client_as("nursery1").get(f"/api/v1/institutions/{other.pk}/fees/").status_code == 404
    assert other.fees.count() == count


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": "abc"},
        {"amount": "-1"},
        {"amount": "12345678901"},
        {"effective_from": "2026-13-40"},
        {"service_mode": "overnight"},
        {"service_mode": "hourly"},
    ],
)
def test_a_bad_fee_is_a_form_error_and_nothing_is_saved(overrides, client_as):
    own = _institution("demo-simen-xingxing")  # offers full-day care only
    count = own.fees.count()
    response = client_as("nursery1").post(f"/registry/institutions/{own.pk}/fees/", {**FEE, **overrides})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert own.fees.count() == count


def test_the_same_fee_twice_is_refused(client_as):
    own = _institution("demo-simen-xingxing")
    client = client_as("nursery1")
    assert client.post(f"/registry/institutions/{own.pk}/fees/", FEE).status_code == 302
    again = client.post(f"/registry/institutions/{own.pk}/fees/", FEE)
    assert again.status_code == 200 and again.context["form"].errors["effective_from"]
    assert own.fees.filter(effective_from=date(2026, 9, 1)).count() == 1


def test_an_institution_deletes_its_own_fee_but_not_anothers(client_as):
    own_fee = _institution("demo-simen-xingxing").fees.first()
    other_fee = _institution("demo-lizhou-yangguang").fees.first()
    client = client_as("nursery1")
    assert client.post(f"/registry/fees/{other_fee.pk}/delete/").status_code == 404
    assert client_as("lizhou").post(f"/registry/fees/{own_fee.pk}/delete/").status_code == 404
    assert client_as("simen").post(f"/registry/fees/{own_fee.pk}/delete/").status_code == 403
    assert FeeSchedule.objects.filter(pk__in=[own_fee.pk, other_fee.pk]).count() == 2
    assert client.post(f"/registry/fees/{own_fee.pk}/delete/").status_code == 302
    assert not FeeSchedule.objects.filter(pk=own_fee.pk).exists()


def test_the_fee_api_lists_an_institutions_fees_to_those_who_see_it(client_as):
    own = _institution("demo-simen-xingxing")
    body = client_as("simen").get(f"/api/v1/institutions/{own.pk}/fees/").json()
    assert [row["amount"] for row in body["results"]] == ["3600.00"]


# --- Pricing guidance -------------------------------------------------------------------

GUIDE = {
    "service_mode": "full_day",
    "unit": "month",
    "max_amount": "2400",
    "effective_from": "2027-01-01",
    "note": "测试指导价",
}


def test_the_development_and_reform_bureau_sets_a_guide_price(client, db):
    client.force_login(_officer("ndrc"))
    before = _events("pricing_guidance.created")
    response = client.post("/registry/pricing/", GUIDE)
    assert response.status_code == 302
    guide = PricingGuidance.objects.get(note="测试指导价")
    assert (guide.max_amount, guide.effective_from) == (Decimal("2400"), date(2027, 1, 1))
    assert _events("pricing_guidance.created") == before + 1
    again = client.post("/registry/pricing/", GUIDE)  # the same service, unit and date
    assert again.status_code == 200 and again.context["form"].errors
    bad = client.post("/registry/pricing/", {**GUIDE, "max_amount": "0", "effective_from": "2027-02-01"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert PricingGuidance.objects.filter(note="测试指导价").count() == 1


def test_nobody_else_sets_guide_prices(client_as, cast):
    count = PricingGuidance.objects.count()
    for username in ("health", "amr", "nursery2"):
        assert client_as(username).post("/registry/pricing/", GUIDE).status_code == 403
    with pytest.raises(PermissionDenied):
        planning.pricing_guidance_save(
            actor=cast["health"], service_mode="full_day", max_amount=Decimal(1), effective_from=date(2027, 1, 1)
        )
    assert PricingGuidance.objects.count() == count


def _inclusive_institution_charging(amount: int, *, township=SIMEN, name="【测试】普惠托育园", since=None):
    institution = institution_create(
        actor=None,
        name=name,
        legal_form="nonprofit",
        provider_type="standalone",
        village=village_of(township),
        address="测试路1号",
        inclusive=True,
    )
    FeeSchedule.objects.create(
        institution=institution,
        service_mode="full_day",
        amount=Decimal(amount),
        meal_fee=Decimal(300),
        effective_from=since or date(2026, 1, 1),
    )
    return institution


def test_an_inclusive_institution_above_the_guide_price_is_flagged(cast):
    dear = _inclusive_institution_charging(2800)
    comparison = selectors.inclusive_fee_comparison(actor=cast["health"], on=date(2026, 6, 1))
    assert comparison["full_day_guide"].max_amount == Decimal("2500")
    rows = {row["institution"].name: row for row in comparison["rows"]}
    assert rows[dear.name]["above"] and rows[dear.name]["excess"] == Decimal("300")
    demo = rows["【演示】梨洲街道阳光宝贝托育中心"]
    assert demo["fee"].amount == Decimal("2200") and not demo["above"]
    assert comparison["rows"][0]["institution"] == dear  # those above the guide price come first
    assert comparison["above_count"] == 1
    assert not any(row["institution"].inclusive is False for row in comparison["rows"])


def test_the_fee_in_force_is_the_latest_from_on_or_before_the_day(cast):
    institution = _inclusive_institution_charging(2000)
    FeeSchedule.objects.create(
        institution=institution, service_mode="full_day", amount=Decimal(2600), effective_from=date(2026, 7, 1)
    )
    before = selectors.inclusive_fee_comparison(actor=cast["health"], on=date(2026, 6, 30))
    after = selectors.inclusive_fee_comparison(actor=cast["health"], on=date(2026, 7, 1))
    row = lambda comparison: next(r for r in comparison["rows"] if r["institution"] == institution)  # noqa: E731
    assert (row(before)["fee"].amount, row(before)["above"]) == (Decimal(2000), False)
    assert (row(after)["fee"].amount, row(after)["above"]) == (Decimal(2600), True)


def test_the_pricing_page_flags_institutions_above_the_guide_in_the_users_sight(client_as):
    dear = _inclusive_institution_charging(2800, township=SIMEN, since=timezone.localdate() - timedelta(days=1))
    health = client_as("health").get("/registry/pricing/")
    assert health.status_code == 200
    flagged = [row["institution"] for row in health.context["rows"] if row["above"]]
    assert flagged == [dear]
    assert "table-danger" in health.content.decode()
    lizhou = client_as("lizhou").get("/registry/pricing/")  # another township does not see it
    assert dear not in [row["institution"] for row in lizhou.context["rows"]]
    assert lizhou.context["form"] is None
    assert {row["institution"].township.code for row in lizhou.context["rows"]} == {LIZHOU}


def test_the_guide_price_api_lists_the_guides(client_as):
    body = client_as("nursery1").get("/api/v1/pricing-guidance/").json()
    assert [(row["service_mode"], row["max_amount"]) for row in body["results"]] == [("full_day", "2500.00")]


# --- Fixed query counts -----------------------------------------------------------------


def _many_areas(count: int) -> None:
    villages = list(Region.objects.filter(parent__code=SIMEN).select_related("parent").order_by("code"))
    ResidentialArea.objects.bulk_create(
        ResidentialArea(
            name=f"批量小区{i:03d}",
            kind="new" if i % 2 else "old",
            village=villages[i % len(villages)],
            township=villages[i % len(villages)].parent,
            population=1000 + 37 * i,
            planned_slots=i,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("size", [5, 100])
@pytest.mark.parametrize("username", ["simen", "health"])
def test_residential_area_page_and_api_keep_a_fixed_query_count(
    size, username, client_as, django_assert_max_num_queries
):
    _many_areas(size)
    client = client_as(username)
    with django_assert_max_num_queries(13):
        assert client.get("/registry/residential-areas/").status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(f"/registry/residential-areas/?township={SIMEN}&page=2").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/residential-areas/").status_code == 200


def _many_sites(count: int) -> None:
    villages = list(Region.objects.filter(parent__code=LIZHOU).order_by("code"))
    for i in range(count):
        village = i % (len(villages) - 1)
        site = GuidanceSite.objects.create(name=f"批量指导点{i:03d}", level="village_point", region=villages[village])
        site.covered_villages.set(villages[village : village + 2])


@pytest.mark.parametrize("size", [2, 60])
def test_guidance_pages_and_api_keep_a_fixed_query_count(size, client_as, cast, django_assert_max_num_queries):
    _many_sites(size)
    client = client_as("lizhou")
    with django_assert_max_num_queries(11):
        assert client.get("/registry/guidance/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/guidance-sites/").status_code == 200
    site, officer = GuidanceSite.objects.filter(name__startswith="批量指导点").first(), cast["lizhou"]
    GuidanceActivity.objects.bulk_create(
        GuidanceActivity(
            site=site,
            held_on=date(2026, 1, 1) + timedelta(days=i),
            kind="lecture",
            title=f"活动{i}",
            recorded_by=officer,
        )
        for i in range(size)
    )
    with django_assert_max_num_queries(16):
        assert client.get(f"/registry/guidance/{site.pk}/").status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_pricing_page_keeps_a_fixed_query_count(size, client_as, django_assert_max_num_queries):
    for i in range(size):
        _inclusive_institution_charging(2000 + 30 * i, name=f"【测试】普惠托育园{i:02d}")
    for username in ("health", "simen"):
        client = client_as(username)
        with django_assert_max_num_queries(14):
            assert client.get("/registry/pricing/").status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_fee_page_and_api_keep_a_fixed_query_count(size, client_as, django_assert_max_num_queries):
    own = _institution("demo-simen-xingxing")
    FeeSchedule.objects.bulk_create(
        FeeSchedule(
            institution=own,
            service_mode="full_day",
            amount=Decimal(3000 + i),
            effective_from=date(2025, 1, 1) + timedelta(days=i),
        )
        for i in range(size)
    )
    client = client_as("nursery1")
    with django_assert_max_num_queries(12):
        assert client.get(f"/registry/institutions/{own.pk}/fees/").status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(f"/api/v1/institutions/{own.pk}/fees/").status_code == 200
