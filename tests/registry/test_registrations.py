"""Registrations by the three authorities (entered on the page, pushed through the API), their
revocation, who sees which, and the health bureau's queue of registered institutions that have
not filed.

The cast (tests/conftest.py): ``mca`` registers non-profit social organisations, ``amr``
companies, ``editor`` public institutions; ``health`` sees every registration; ``simen`` and
``lizhou`` are the two townships; ``nursery1`` heads 【演示】泗门镇小星星托育园 (a company
registered by amr ten days ago, not filed) and ``nursery2`` 【演示】梨洲街道阳光宝贝托育中心 (a
non-profit registered by mca).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import AuditEvent, Organisation, Region
from registry import selectors
from registry.models import Filing, Institution, Registration
from registry.services import registrations as registration_services
from registry.validators import credit_code_check_character
from tests.factories import api_key

pytestmark = pytest.mark.django_db

VILLAGE_SIMEN = "330281103001"  # a village of 泗门镇
VILLAGE_LIZHOU = "330281001001"  # a community of 梨洲街道
STALE = ["【演示】兰江街道邻里家庭托育点", "【演示】临山镇春苗托育园", "【演示】大隐镇山花托育点"]
URL = "/registry/registrations/"
API = "/api/v1/registrations/"


def code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def form_data(legal_form: str, first17: str, **changes) -> dict:
    data = {
        "credit_code": code(first17),
        "name": "【测试】新登记托育园",
        "legal_form": legal_form,
        "provider_type": "standalone",
        "village": VILLAGE_SIMEN,
        "address": "泗门镇测试路8号",
        "certificate_number": f"测试证{first17[-5:]}",
        "registered_on": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return data


def counts() -> tuple[int, int]:
    return Institution.objects.count(), Registration.objects.count()


@pytest.fixture
def token_client(cast):
    """An API client authenticated as an authority's system would be: by a token of one of its
    officers, no session."""

    keys = {}

    def make(username: str) -> APIClient:
        if username not in keys:  # one token per officer, as its system would hold
            keys[username] = api_key(cast[username])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[username]}", HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


# --- Recording a registration on the page -------------------------------------------------


@pytest.mark.parametrize(
    ("username", "legal_form", "first17"),
    [
        ("mca", "nonprofit", "52330281MA2R00001"),
        ("amr", "company", "91330281MA2R00002"),
        ("editor", "public_institution", "12330281MA2R00003"),
    ],
)
def test_each_authority_records_a_registration_of_its_own_legal_form(username, legal_form, first17, cast, client_as):
    before = counts()
    response = client_as(username).post(URL + "new/", form_data(legal_form, first17))
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(institution__credit_code=code(first17))
    authority = Organisation.objects.get(code=username)
    assert registration.authority == authority
    assert registration.legal_form == legal_form
    assert registration.source == Registration.Source.ENTERED
    assert registration.status == Registration.Status.ACTIVE
    institution = registration.institution
    assert institution.village.code == VILLAGE_SIMEN and institution.township.code == "330281103"
    assert counts() == (before[0] + 1, before[1] + 1)
    # The authority gains sight of what it registered, and so does the township around it.
    assert Institution.objects.visible_to(cast[username]).filter(pk=institution.pk).exists()
    assert selectors.registration_list(actor=cast["simen"]).filter(pk=registration.pk).exists()
    assert AuditEvent.objects.filter(event="registration.recorded", object_id=str(registration.pk)).exists()


def test_the_form_offers_only_the_legal_forms_the_authority_registers(en):
    page = en("mca").get(URL + "new/").content.decode()
    assert 'value="nonprofit"' in page
    assert 'value="company"' not in page and 'value="public_institution"' not in page
    # Villages are offered grouped by township.
    assert '<optgroup label="泗门镇">' in page and f'value="{VILLAGE_SIMEN}"' in page


def test_civil_affairs_may_not_register_a_company_and_nothing_is_saved(client_as):
    before = counts()
    response = client_as("mca").post(URL + "new/", form_data("company", "91330281MA2R00004"))
    assert response.status_code == 403
    assert counts() == before
    assert not Institution.objects.filter(credit_code=code("91330281MA2R00004")).exists()


def test_a_post_of_another_form_is_refused_even_when_other_fields_are_wrong(client_as):
    before = counts()
    response = client_as("mca").post(URL + "new/", form_data("company", "91330281MA2R00005", credit_code="bad"))
    assert response.status_code == 403
    assert counts() == before


def test_the_service_itself_refuses_another_authoritys_form(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        registration_services.registration_record(
            actor=cast["editor"], credit_code=code("91330281MA2R00006"), name="x", legal_form="company",
            provider_type="standalone", village=Region.objects.get(code=VILLAGE_SIMEN), address="x",
            certificate_number="x", registered_on=timezone.localdate(),
        )  # fmt: skip


@pytest.mark.parametrize("username", ["health", "simen", "nursery1", "fire", "leader"])
def test_only_authorities_open_the_registration_form(username, client_as):
    assert client_as(username).get(URL + "new/").status_code == 403
    assert client_as(username).post(URL + "new/", form_data("company", "91330281MA2R00007")).status_code == 403


def test_a_wrong_credit_code_is_shown_on_the_form_and_nothing_is_saved(en):
    before = counts()
    first17 = "91330281MA2R00008"
    wrong = first17 + ("0" if credit_code_check_character(first17) != "0" else "1")
    response = en("amr").post(URL + "new/", form_data("company", first17, credit_code=wrong))
    assert response.status_code == 200
    assert "The check character (the last one) of this credit code should be" in response.content.decode()
    assert counts() == before


def test_a_future_date_and_a_missing_village_are_refused_on_the_form(en):
    before = counts()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = en("amr").post(URL + "new/", form_data("company", "91330281MA2R00009", registered_on=tomorrow,
                                                          village=""))  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "The registration date cannot be in the future." in page
    assert "This field is required." in page
    assert counts() == before


def test_a_registration_attaches_to_an_institution_the_registry_already_knows(client_as):
    unregistered = Institution.objects.get(name="【演示】黄家埠镇小天使托育点")  # a company, never registered
    before = counts()
    data = form_data("company", unregistered.credit_code[:17], village=unregistered.village.code)
    response = client_as("amr").post(URL + "new/", data)
    assert response.status_code == 302
    assert counts() == (before[0], before[1] + 1)
    assert unregistered.registrations.get().authority.code == "amr"


def test_a_second_active_registration_is_refused_with_a_message(en):
    nursery1 = Institution.objects.get(organisation__code="demo-simen-xingxing")
    before = counts()
    response = en("amr").post(URL + "new/", form_data("company", nursery1.credit_code[:17]))
    assert response.status_code == 200
    assert "already has an active registration" in response.content.decode()
    assert counts() == before


# --- Revocation ---------------------------------------------------------------------------


def registration_of(certificate_number: str) -> Registration:
    return Registration.objects.get(certificate_number=certificate_number)


def test_the_registering_authority_revokes_its_registration(client_as):
    registration = registration_of("演示登记0001")  # nursery1's, by amr
    today = timezone.localdate().isoformat()
    response = client_as("amr").post(f"{URL}{registration.pk}/revoke/", {"reason": "停止经营", "revoked_on": today})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REVOKED
    assert registration.revoke_reason == "停止经营"
    assert registration.institution.status == Institution.Status.REVOKED
    assert AuditEvent.objects.filter(event="registration.revoked", object_id=str(registration.pk)).exists()


@pytest.mark.parametrize(("username", "status"), [("mca", 403), ("health", 403), ("simen", 403), ("editor", 404),
                                                  ("lizhou", 404), ("nursery2", 404)])  # fmt: skip
def test_nobody_else_revokes_it(username, status, client_as):
    registration = registration_of("演示登记0001")
    today = timezone.localdate().isoformat()
    response = client_as(username).post(f"{URL}{registration.pk}/revoke/", {"reason": "x", "revoked_on": today})
    assert response.status_code == status
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACTIVE


def test_a_revocation_needs_a_reason_and_a_date_since_the_registration(en):
    registration = registration_of("演示登记0001")
    early = (registration.registered_on - timedelta(days=1)).isoformat()
    client = en("amr")
    response = client.post(f"{URL}{registration.pk}/revoke/", {"reason": "", "revoked_on": early})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(f"{URL}{registration.pk}/revoke/", {"reason": "停业", "revoked_on": early})
    assert response.status_code == 200
    assert "The revocation date must lie between the registration date and today." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACTIVE


def test_a_revoked_registration_cannot_be_revoked_again(en):
    registration = registration_of("演示登记0001")
    client = en("amr")
    today = timezone.localdate().isoformat()
    client.post(f"{URL}{registration.pk}/revoke/", {"reason": "停业", "revoked_on": today})
    page = client.get(f"{URL}{registration.pk}/revoke/").content.decode()
    assert "This registration was revoked on" in page
    response = client.post(f"{URL}{registration.pk}/revoke/", {"reason": "again", "revoked_on": today})
    assert "This registration is already revoked." in response.content.decode()


# --- Who sees which -----------------------------------------------------------------------


def test_a_township_sees_the_registrations_in_its_territory_only(cast, client_as):
    mine = selectors.registration_list(actor=cast["simen"])
    assert mine.exists()
    assert set(mine.values_list("institution__township__code", flat=True)) == {"330281103"}
    page = client_as("simen").get(URL).content.decode()
    assert "【演示】泗门镇小星星托育园" in page
    assert "【演示】梨洲街道阳光宝贝托育中心" not in page
    lizhou = client_as("lizhou").get(URL).content.decode()
    assert "【演示】梨洲街道阳光宝贝托育中心" in lizhou and "【演示】泗门镇小星星托育园" not in lizhou


def test_the_health_bureau_sees_every_registration(cast):
    assert selectors.registration_list(actor=cast["health"]).count() == Registration.objects.count()


def test_an_institution_sees_its_own_registration_only(cast, client_as):
    own = selectors.registration_list(actor=cast["nursery1"])
    assert list(own.values_list("certificate_number", flat=True)) == ["演示登记0001"]
    assert client_as("nursery1").get(f"{URL}{registration_of('演示登记0002').pk}/revoke/").status_code == 404


def test_the_public_institution_authority_sees_only_what_it_registered(cast):
    seen = selectors.registration_list(actor=cast["editor"])
    assert seen.exists()
    assert set(seen.values_list("legal_form", flat=True)) == {"public_institution"}


def test_the_list_filters_by_status_legal_form_and_text(client_as):
    client = client_as("health")
    page = client.get(URL, {"text": "演示登记0002"}).content.decode()
    assert "【演示】梨洲街道阳光宝贝托育中心" in page and "【演示】泗门镇小星星托育园" not in page
    page = client.get(URL, {"legal_form": "public_institution"}).content.decode()
    assert "【演示】泗门镇中心幼儿园托班" in page and "【演示】泗门镇小星星托育园" not in page
    page = client.get(URL, {"status": "revoked"}).content.decode()
    assert "【演示】泗门镇小星星托育园" not in page
    response = client.get(URL, {"status": "nonsense"})
    assert response.status_code == 200 and "【演示】泗门镇小星星托育园" not in response.content.decode()


def test_the_revoke_button_appears_only_for_the_registering_authority(client_as):
    revoke = f"{URL}{registration_of('演示登记0001').pk}/revoke/"
    assert revoke in client_as("amr").get(URL).content.decode()
    assert revoke not in client_as("mca").get(URL).content.decode()
    assert revoke not in client_as("health").get(URL).content.decode()


# --- The unfiled queue --------------------------------------------------------------------


def test_the_unfiled_queue_lists_the_stale_demo_institutions_and_not_recent_ones(cast, client_as):
    amr_code = code("91330281MA2R00010")
    registration_services.registration_record(
        actor=cast["amr"], credit_code=amr_code, name="【测试】刚登记托育园", legal_form="company",
        provider_type="standalone", village=Region.objects.get(code=VILLAGE_SIMEN), address="泗门镇",
        certificate_number="刚登记", registered_on=timezone.localdate(),
    )  # fmt: skip
    queue = selectors.unfiled_institution_list(actor=cast["health"])
    assert sorted(queue.values_list("name", flat=True)) == sorted(STALE)
    page = client_as("health").get(URL + "unfiled/").content.decode()
    for name in STALE:
        assert name in page
    assert "【测试】刚登记托育园" not in page
    assert "【演示】泗门镇小星星托育园" not in page  # registered ten days ago: not late yet
    assert "【演示】兰江街道小橡树托育中心" not in page  # its filing was rejected: followed among filings


def test_an_institution_leaves_the_queue_once_it_begins_a_filing(cast):
    stale = Institution.objects.get(name=STALE[0])
    Filing.objects.create(institution=stale)
    names = set(selectors.unfiled_institution_list(actor=cast["health"]).values_list("name", flat=True))
    assert names == set(STALE[1:])


def test_the_unfiled_queue_follows_the_alert_days_parameter(cast):
    from registry.models import Parameter

    Parameter.objects.filter(key="filing.unfiled_alert_days").update(value=5)
    names = set(selectors.unfiled_institution_list(actor=cast["health"]).values_list("name", flat=True))
    assert "【演示】泗门镇小星星托育园" in names and set(STALE) <= names


def test_the_unfiled_queue_filters_by_township(client_as):
    page = client_as("health").get(URL + "unfiled/", {"township": "330281100"}).content.decode()
    assert "【演示】临山镇春苗托育园" in page and "【演示】大隐镇山花托育点" not in page


# --- API: push, list, revoke --------------------------------------------------------------


def test_an_authority_pushes_a_registration_with_its_token(token_client):
    client = token_client("mca")
    before = counts()
    data = form_data("nonprofit", "52330281MA2R00011", village=VILLAGE_LIZHOU)
    response = client.post(API, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["legal_form"] == "nonprofit" and body["authority"] == "mca" and body["source"] == "api"
    assert body["institution"]["credit_code"] == data["credit_code"]
    assert counts() == (before[0] + 1, before[1] + 1)
    registration = Registration.objects.get(pk=body["id"])
    # The push is attributed to the token's user in the audit trail.
    assert AuditEvent.objects.filter(
        event="registration.recorded", object_id=str(registration.pk), actor_id=Token.objects.get().user_id
    ).exists()

    again = client.post(API, data, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert counts() == (before[0] + 1, before[1] + 1)


def test_a_pushed_bad_credit_code_answers_400_with_the_field(token_client):
    before = counts()
    response = token_client("amr").post(API, form_data("company", "91330281MA2R00012", credit_code="91330281MA2R0001"),
                                        format="json")  # fmt: skip
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "credit_code" in error["fields"]
    assert counts() == before


def test_a_pushed_unknown_village_answers_400_with_the_field(token_client):
    response = token_client("amr").post(API, form_data("company", "91330281MA2R00013", village="330281103"),
                                        format="json")  # fmt: skip
    assert response.status_code == 400
    assert "village" in response.json()["error"]["fields"]


def test_a_push_of_another_authoritys_form_answers_403_and_saves_nothing(token_client):
    before = counts()
    response = token_client("mca").post(API, form_data("company", "91330281MA2R00014"), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert counts() == before


def test_a_push_from_a_department_that_registers_nothing_answers_403(token_client):
    assert token_client("health").post(API, form_data("company", "91330281MA2R00015"), format="json").status_code == 403


def test_a_push_without_a_token_answers_401(db):
    response = APIClient().post(API, form_data("company", "91330281MA2R00016"), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_push_with_a_wrong_token_answers_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.post(API, form_data("company", "91330281MA2R00017"), format="json").status_code == 401


def test_a_push_that_is_not_an_object_answers_400(token_client):
    response = token_client("amr").post(API, ["not", "an", "object"], format="json")
    assert response.status_code == 400


def test_the_api_list_is_scoped_like_the_page(token_client):
    body = token_client("nursery1").get(API).json()
    assert [row["certificate_number"] for row in body["results"]] == ["演示登记0001"]
    simen = token_client("simen").get(API, {"status": "active"}).json()
    assert {row["institution"]["township"] for row in simen["results"]} == {"330281103"}


def test_the_api_revokes_for_the_registering_authority_only(token_client):
    registration = registration_of("演示登记0002")  # nursery2's, by mca
    data = {"reason": "撤销", "revoked_on": timezone.localdate().isoformat()}
    assert token_client("amr").post(f"{API}{registration.pk}/revoke/", data, format="json").status_code == 403
    assert token_client("editor").post(f"{API}{registration.pk}/revoke/", data, format="json").status_code == 404
    response = token_client("mca").post(f"{API}{registration.pk}/revoke/", data, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    again = token_client("mca").post(f"{API}{registration.pk}/revoke/", data, format="json")
    assert again.status_code == 400


def test_the_push_endpoint_is_in_the_openapi_schema(client_as):
    schema = client_as("amr").get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/registrations/"]
    assert {"get", "post"} <= set(operations)
    assert "/api/v1/registrations/{id}/revoke/" in schema["paths"]


# --- Fixed query counts -------------------------------------------------------------------


def _add_registrations(count: int) -> None:
    """``count`` more registered institutions in 泗门镇, written directly (the services are
    exercised above; here only the amount of data matters)."""
    amr = Organisation.objects.get(code="amr")
    villages = list(Region.objects.filter(parent__code="330281103").order_by("code")[:10])
    old = timezone.localdate() - timedelta(days=120)
    for index in range(count):
        village = villages[index % len(villages)]
        organisation = account_services.institution_organisation_create(
            actor=None, code=f"reg-bulk-{index}", name=f"批量{index}", village=village
        )
        institution = Institution.objects.create(
            organisation=organisation, name=f"【测试】批量托育园{index}", credit_code=code(f"91330281MA2Q{index:05d}"),
            legal_form="company", provider_type="standalone", village=village, township=village.parent,
            address="泗门镇",
        )  # fmt: skip
        Registration.objects.create(
            institution=institution, authority=amr, legal_form="company", certificate_number=f"批量{index}",
            registered_on=old,
        )  # fmt: skip


@pytest.mark.parametrize("size", [10, 60])
@pytest.mark.parametrize("username", ["health", "simen", "amr"])
def test_the_registration_list_keeps_a_fixed_query_count(size, username, client_as, django_assert_max_num_queries):
    _add_registrations(size)
    client = client_as(username)
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(API).status_code == 200


@pytest.mark.parametrize("size", [10, 60])
def test_the_unfiled_queue_keeps_a_fixed_query_count(size, client_as, django_assert_max_num_queries):
    _add_registrations(size)
    client = client_as("health")
    with django_assert_max_num_queries(15):
        response = client.get(URL + "unfiled/")
    assert response.status_code == 200
    assert "【测试】批量托育园0" in response.content.decode()
