"""Issue 13, point 4: a credit code fits its registration. Its structure is GB 32100's (checked
by python-stdnum, then the authority and organisation type of table 1), its first character
is the authority of the chosen legal form and characters 3-8 the county of the village; a
mismatch is refused on the page, in the API and in an import, naming both."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import Region
from registry.models import Institution, Registration
from registry.services import institutions as services
from registry.validators import ALPHABET, credit_code_check_character, validate_credit_code
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

VILLAGE_SIMEN = "330281103001"


def code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def counts() -> tuple[int, int]:
    return Institution.objects.count(), Registration.objects.count()


def form_data(credit_code: str, legal_form: str = "company") -> dict:
    return {
        "credit_code": credit_code,
        "name": "【测试】代码核对托育园",
        "legal_form": legal_form,
        "provider_type": "standalone",
        "village": VILLAGE_SIMEN,
        "address": "泗门镇测试路9号",
        "certificate_number": f"测试证{credit_code[-6:]}",
        "registered_on": timezone.localdate().isoformat(),
    }


def test_random_codes_with_a_right_check_character_but_wrong_structure_are_refused():
    generator = random.Random(13)
    codes = [code("".join(generator.choice(ALPHABET) for _ in range(17))) for _ in range(2000)]
    accepted = []
    for candidate in codes:
        try:
            validate_credit_code(candidate)
        except ValidationError:
            continue
        accepted.append(candidate)
    # Before, every one of them passed (only the check character was verified).
    assert accepted == []
    # And none can be registered as a company in Yuyao.
    village = Region.objects.get(code=VILLAGE_SIMEN)
    for candidate in codes[:50]:
        with pytest.raises((ValidationError, ApplicationError)):
            services.credit_code_require_fit(code=candidate, legal_form="company", village=village)


@pytest.mark.parametrize(
    ("first17", "error_code"),
    [
        ("9A330281MA2H00001", "credit_code_structure"),  # a letter as the organisation type
        ("94330281MA2H00002", "credit_code_type"),  # market supervision has no type 4
        ("56330281MA2H00003", "credit_code_type"),  # civil affairs has no type 6
        ("02330281MA2H00004", "credit_code_authority"),  # no authority 0
    ],
)
def test_a_first_or_second_character_outside_gb_32100_is_refused(first17, error_code):
    with pytest.raises(ValidationError) as raised:
        validate_credit_code(code(first17))
    assert raised.value.code == error_code


@pytest.mark.parametrize(
    ("legal_form", "first17"),
    [("company", "91330281MA2H00010"), ("company", "92330281MA2H00011"), ("nonprofit", "52330281MA2H00012"),
     ("nonprofit", "51330281MA2H00013"), ("public_institution", "12330281MA2H00014")],
)  # fmt: skip
def test_a_code_of_the_legal_forms_authority_and_yuyao_is_accepted(legal_form, first17):
    institution = services.institution_create(
        actor=None, name="代码相符托育园", legal_form=legal_form, provider_type="standalone",
        village=Region.objects.get(code=VILLAGE_SIMEN), address="测试路1号", credit_code=code(first17),
    )  # fmt: skip
    assert institution.credit_code == code(first17)


def test_the_page_refuses_a_code_of_another_authority_naming_both(client_as):
    before = counts()
    with translation.override("zh-hans"):
        response = client_as("amr").post("/registry/registrations/new/", form_data(code("52330281MA2H00020")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "首位为 5，表示由民政部门登记赋码" in page and "由市场监管（工商）部门登记" in page
    assert counts() == before


@pytest.mark.parametrize("division", ["330203", "330200", "350100"])
def test_the_page_refuses_a_code_of_another_division_naming_both(client_as, division):
    before = counts()
    with translation.override("zh-hans"):
        response = client_as("amr").post("/registry/registrations/new/", form_data(code(f"91{division}MA2H00021")))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"第3至8位（{division}）" in page and "所在行政区划代码为 330281" in page
    assert counts() == before


def test_the_api_refuses_a_code_of_another_authority_with_the_field(cast):
    from rest_framework.test import APIClient

    from tests.factories import api_key

    key = api_key(cast["mca"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    before = counts()
    response = client.post("/api/v1/registrations/", form_data(code("91330281MA2H00030"), "nonprofit"), format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["error"]["fields"]["credit_code"])
    assert "首位为 9，表示由市场监管（工商）部门登记赋码" in message and "由民政部门登记" in message
    assert counts() == before


def test_factories_and_demo_data_carry_codes_that_fit():
    made = InstitutionFactory(legal_form="nonprofit")
    for institution in [made, *Institution.objects.filter(name__startswith="【演示】").exclude(credit_code="")]:
        services.credit_code_require_fit(code=institution.credit_code, legal_form=institution.legal_form,
                                         village=institution.village)  # fmt: skip
