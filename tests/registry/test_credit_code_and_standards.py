"""The unified social credit code check (GB 32100) through model validation and through
``institution_create``; the class-size, ratio, family care point and floor-area standards as
warnings that never stop a save."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Region
from registry import parameters, selectors, standards
from registry.models import ClassGroup, Institution, Parameter
from registry.services import institutions as services

pytestmark = pytest.mark.django_db

VALID = ["91350100M000100Y43", "91110000600037341L"]


def _village():
    return Region.objects.filter(parent__code="330281103").order_by("code").first()


def _credit_code_error(code: str) -> ValidationError:
    institution = Institution.objects.get(name="【演示】泗门镇小星星托育园")
    institution.credit_code = code
    with pytest.raises(ValidationError) as raised:
        institution.full_clean()
    assert set(raised.value.error_dict) == {"credit_code"}
    return raised.value.error_dict["credit_code"][0]


# --- Credit code --------------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID)
def test_real_credit_codes_pass_model_validation(code):
    institution = Institution.objects.get(name="【演示】泗门镇小星星托育园")
    institution.credit_code = code
    institution.full_clean()


# Codes of Yuyao's market supervision (a company of 泗门镇 must carry one: test_credit_code_fit.py).
YUYAO = ["91330281MA2H0001XY", "91330281MA2H00025M"]


@pytest.mark.parametrize("code", YUYAO)
def test_yuyao_credit_codes_pass_through_institution_create_even_typed_in_lower_case(code):
    institution = services.institution_create(
        actor=None, name="代码测试托育园", legal_form="company", provider_type="standalone", village=_village(),
        address="测试路1号", credit_code=f"  {code.lower()} ",
    )  # fmt: skip
    assert Institution.objects.get(pk=institution.pk).credit_code == code


def test_a_wrong_check_character_fails_and_names_the_right_one():
    with translation.override("en"):
        error = _credit_code_error("91350100M000100Y44")
        assert error.code == "credit_code_check"
        assert "should be 3" in error.message


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y431", "9135"])
def test_a_wrong_length_fails_and_says_how_long_it_is(code):
    with translation.override("en"):
        error = _credit_code_error(code)
        assert error.code == "credit_code_length"
        assert f"has {len(code)}" in error.message and "18 characters" in error.message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters_fail_and_are_named(letter):
    code = "91350100" + letter + "000100Y43"
    with translation.override("en"):
        error = _credit_code_error(code)
        assert error.code == "credit_code_characters"
        assert letter in error.message.split("found:")[1]


@pytest.mark.parametrize(
    "code", ["91350100M000100Y44", "91350100M000100Y4", "91350100O000100Y43", "91350100S000100Y43"]
)
def test_a_bad_credit_code_is_refused_by_institution_create_and_nothing_is_created(code):
    before = Institution.objects.count()
    with pytest.raises(ValidationError) as raised:
        services.institution_create(
            actor=None, name="坏代码托育园", legal_form="company", provider_type="standalone", village=_village(),
            address="测试路2号", credit_code=code,
        )  # fmt: skip
    assert "credit_code" in raised.value.error_dict
    assert Institution.objects.count() == before


def test_a_credit_code_already_used_is_refused():
    taken = Institution.objects.get(name="【演示】泗门镇小星星托育园").credit_code
    with pytest.raises(ValidationError) as raised:
        services.institution_create(
            actor=None, name="重复代码托育园", legal_form="company", provider_type="standalone", village=_village(),
            address="测试路3号", credit_code=taken,
        )  # fmt: skip
    assert raised.value.messages


# --- Standards ----------------------------------------------------------------------------


def _group(age_band: str, places: int, enrolled: int, caregivers: int) -> ClassGroup:
    return ClassGroup(name="测试班", age_band=age_band, places=places, enrolled=enrolled, caregivers=caregivers)


def _messages(group: ClassGroup, *, family: bool = False) -> list[str]:
    with translation.override("en"):
        return [w.message for w in standards.class_group_warnings(group, parameters.load(), family_care_point=family)]


def test_a_class_over_the_size_limit_warns():
    messages = _messages(_group("toddler", places=15, enrolled=16, caregivers=4))
    assert "16 children in one class; the standard allows at most 15." in messages
    assert "16 children enrolled but only 15 places." in messages
    assert _messages(_group("older", places=22, enrolled=20, caregivers=3)) == [
        "22 places in one class; the standard allows at most 20."
    ]


@pytest.mark.parametrize(
    ("band", "places", "enrolled", "ratio"),
    [("infant", 10, 7, 3), ("toddler", 15, 11, 5), ("older", 20, 15, 7)],
)
def test_the_caregiver_ratio_of_each_band_warns(band, places, enrolled, ratio):
    messages = _messages(_group(band, places=places, enrolled=enrolled, caregivers=2))
    assert messages == [f"{enrolled} children need at least 3 caregivers (1 for every {ratio}); there are 2."]
    assert _messages(_group(band, places=places, enrolled=2 * ratio, caregivers=2)) == []


def test_more_children_than_places_warns():
    assert _messages(_group("older", places=10, enrolled=12, caregivers=2)) == [
        "12 children enrolled but only 10 places."
    ]


def test_a_family_care_point_over_five_children_warns():
    point = Institution.objects.get(name="【演示】泗门镇童趣家庭托育点")
    group = _group("mixed", places=6, enrolled=6, caregivers=2)
    with translation.override("en"):
        messages = [w.message for w in standards.institution_warnings(point, [group], parameters.load())]
    assert any("A family care point takes at most 5 children; 6 are enrolled" in m for m in messages)
    assert "6 children in one class; the standard allows at most 5." in messages


def test_the_indoor_area_per_child_warns_only_once_the_parameter_is_set():
    institution = Institution.objects.get(name="【演示】泗门镇小星星托育园")
    groups = list(institution.class_groups.all())
    assert sum(g.places for g in groups) == 45 and institution.indoor_area == Decimal("300")
    assert standards.institution_warnings(institution, groups, parameters.load()) == []
    Parameter.objects.filter(key="indoor_area_per_child").update(value=Decimal("8"))
    with translation.override("en"):
        messages = [w.message for w in standards.institution_warnings(institution, groups, parameters.load())]
    assert len(messages) == 1
    assert "300.00 m² is below 360.00 m²" in messages[0] and "45 places" in messages[0]


def test_over_standard_figures_are_saved_and_the_record_shows_the_warnings(cast, client_as):
    institution = Institution.objects.get(name="【演示】泗门镇小星星托育园")
    group = services.class_group_save(
        actor=cast["nursery1"], institution=institution, name="超额班", age_band="infant", places=12, enrolled=13,
        caregivers=2,
    )  # fmt: skip
    assert ClassGroup.objects.filter(pk=group.pk, enrolled=13).exists()
    Parameter.objects.filter(key="indoor_area_per_child").update(value=Decimal("8"))
    expected = [w.message for w in selectors.class_group_warnings(group=group)]
    assert len(expected) == 4  # enrolled > places, 13 > 10 children, 12 > 10 places, ratio
    overview = selectors.institution_overview(actor=cast["health"], pk=institution.pk)
    page = client_as("health").get(f"/registry/institutions/{institution.pk}/").content.decode()
    for warning in overview.warnings:
        assert warning.message in page
    assert {w.message for w in overview.warnings} >= set(expected)
    assert len(overview.warnings) == len(expected) + 1  # and the floor area
