"""The access policy on its own (accounts/policy.py's docstring is the specification)."""

import pytest
from django.http import Http404

from accounts import policy, services
from accounts.models import Membership, Organisation, Region, SecurityEvent, User
from tests.factories import InstitutionFactory, UserFactory, village_of
from tests.helpers import shipped_organisations, shipped_regions

SIMEN = "330281103"


def test_a_user_without_an_organisation_sees_nothing_and_holds_no_duty(cast):
    stranger = cast["stranger"]
    assert policy.duties(stranger) == frozenset()
    assert not Region.objects.visible_to(stranger).exists()
    assert not Organisation.objects.visible_to(stranger).exists()


def test_an_inactive_user_holds_nothing(cast):
    health = cast["health"]
    health.is_active = False
    assert policy.duties(health) == frozenset()
    assert not Organisation.objects.visible_to(health).exists()


def test_a_deactivated_organisation_gives_its_members_nothing(org):
    health = org("health")
    officer = UserFactory(member_of=health, member_of__role=Membership.Role.OFFICER)
    assert "filing.review" in policy.duties(officer)
    Organisation.objects.filter(pk=health.pk).update(is_active=False)
    assert policy.duties(User.objects.get(pk=officer.pk)) == frozenset()


def test_a_viewer_reads_but_does_not_act(org):
    viewer = UserFactory(member_of=org("health"), member_of__role=Membership.Role.VIEWER)
    duties = policy.duties(viewer)
    assert "dashboard.view" in duties
    assert "filing.review" not in duties
    assert not policy.has_duty(viewer, "filing.review")


def test_duties_follow_the_annex_2_data(cast):
    assert {"filing.review", "review.decide", "banlist.manage"} <= policy.duties(cast["health"])
    assert policy.duties(cast["fire"]) == frozenset({"check.fire"})
    assert policy.duties(cast["mca"]) == frozenset({"register.nonprofit", "referral.decide"})
    assert "filing.review" not in policy.duties(cast["simen"])
    assert policy.duties(cast["nursery1"]) == frozenset({"institution.self"})
    assert policy.duties(cast["leader"]) == frozenset({"dashboard.view", "dashboard.drilldown"})


def test_operators_hold_only_their_operator_duty(cast):
    assert policy.duties(cast["auditor"]) == frozenset({"audit.admin"})
    assert policy.duties(cast["sysadmin"]) == frozenset({"system.admin"})
    assert policy.duties(cast["secadmin"]) == frozenset({"security.admin"})


def test_a_township_sees_its_own_township_and_villages_only(cast):
    codes = set(Region.objects.visible_to(cast["simen"]).values_list("code", flat=True))
    villages_of_simen = {row["code"] for row in shipped_regions(parent=SIMEN)}
    assert villages_of_simen and codes == {SIMEN} | villages_of_simen


def test_departments_see_the_whole_city_and_an_institution_its_own_village(cast):
    assert Region.objects.visible_to(cast["fire"]).count() == len(shipped_regions())
    assert list(Region.objects.visible_to(cast["nursery1"]).values_list("code", flat=True)) == ["330281103001"]


def test_an_institution_is_seen_by_its_township_through_a_guardian_grant(cast):
    own, neighbours = InstitutionFactory(township_code=SIMEN), InstitutionFactory(township_code="330281001")
    simen_sees = set(Organisation.objects.visible_to(cast["simen"]).values_list("code", flat=True))
    assert "demo-simen-xingxing" in simen_sees and own.organisation.code in simen_sees
    assert "demo-lizhou-yangguang" not in simen_sees and neighbours.organisation.code not in simen_sees
    assert {"health", "fire", "township-330281001"} <= simen_sees  # the government directory


def test_a_new_institution_is_visible_to_its_township_and_not_to_the_neighbour(cast):
    village = village_of(SIMEN)
    new = services.institution_organisation_create(actor=None, code="test-new", name="测试托育点", village=village)
    assert Organisation.objects.visible_to(cast["simen"]).filter(pk=new.pk).exists()
    assert not Organisation.objects.visible_to(cast["lizhou"]).filter(pk=new.pk).exists()
    assert not Organisation.objects.visible_to(cast["nursery1"]).filter(pk=new.pk).exists()


def test_city_wide_duties_see_every_institution_and_others_do_not(cast):
    InstitutionFactory(township_code="330281001")  # one more, in neither of the cast's townships
    institutions = Organisation.objects.filter(kind=Organisation.Kind.INSTITUTION).count()
    for username in ("health", "fire", "amr", "hrss", "leader"):
        seen = Organisation.objects.visible_to(cast[username]).filter(kind=Organisation.Kind.INSTITUTION).count()
        assert seen == institutions, username


def test_education_sees_only_nursery_classes_and_the_commission_office_only_what_it_registered(cast):
    from registry.models import Institution

    edu_sees = Institution.objects.visible_to(cast["edu"])
    assert edu_sees.exists()
    assert set(edu_sees.values_list("provider_type", flat=True)) == {Institution.ProviderType.KINDERGARTEN_CLASS}
    editor_sees = Institution.objects.visible_to(cast["editor"])
    assert editor_sees.exists()
    assert set(editor_sees.values_list("registrations__authority__code", flat=True)) == {"editor"}


def test_an_institution_sees_itself_and_the_government_but_not_its_peer(cast):
    codes = set(Organisation.objects.visible_to(cast["nursery1"]).values_list("code", flat=True))
    assert "demo-simen-xingxing" in codes and "health" in codes
    assert "demo-lizhou-yangguang" not in codes


def test_out_of_scope_lookup_is_404_and_logged(cast, org):
    foreign = org("demo-lizhou-yangguang")
    with pytest.raises(Http404):
        policy.get_visible_or_404(cast["nursery1"], Organisation.objects.all(), pk=foreign.pk)
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OUT_OF_SCOPE).first()
    assert event.username == "nursery1"
    assert event.detail["model"] == "accounts.organisation"


def test_a_lookup_of_nothing_is_404_without_a_log_entry(cast):
    with pytest.raises(Http404):
        policy.get_visible_or_404(cast["health"], Organisation.objects.all(), pk=999999)
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OUT_OF_SCOPE).exists()


def test_reloading_the_reference_data_changes_nothing(db):
    counts = services.reference_data_load()
    assert counts["changed"] == 0
    organisations = shipped_organisations()["organisations"]
    townships = shipped_regions(level=Region.Level.TOWNSHIP)
    assert (counts["regions"], counts["organisations"]) == (len(shipped_regions()), len(organisations) + len(townships))


def test_the_reference_data_has_every_township_and_annex_2_department(db):
    townships = shipped_regions(level=Region.Level.TOWNSHIP)
    assert len(townships) == 21  # the city's 6 subdistricts, 14 towns and 1 township
    assert Region.objects.filter(level=Region.Level.TOWNSHIP).count() == len(townships)
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() == len(shipped_regions(level=Region.Level.VILLAGE))
    assert Organisation.objects.filter(kind=Organisation.Kind.TOWNSHIP).count() == len(townships)
    departments = set(Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).values_list("name", flat=True))
    assert {"市卫生健康局", "市消防救援大队", "市委编办", "市计划生育协会", "国家税务总局余姚市税务局"} <= departments
    shipped = [item for item in shipped_organisations()["organisations"] if item["kind"] == "department"]
    assert len(shipped) == 18 and departments == {item["name"] for item in shipped}  # Annex 2's departments and units
    centre = Organisation.objects.get(code="guidance-centre")
    assert centre.parent.code == "health" and "妇幼保健院" in centre.name
