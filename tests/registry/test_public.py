"""The public registry: no login; filed, operating institutions only; public fields only; a
family care point shows its township and never its address or village."""

import pytest

from accounts.models import Region
from registry import selectors
from registry.models import ClassGroup, FeeSchedule, Institution
from registry.services import institutions as services
from tests.factories import InstitutionFactory
from tests.helpers import text_of

FAMILY_POINT = "【演示】泗门镇童趣家庭托育点"
NOT_FILED = "【演示】泗门镇小星星托育园"  # nursery1: registered, not filed
RETURNED = "【演示】梨洲街道阳光宝贝托育中心"  # nursery2: filing returned
CLOSED = "【演示】牟山镇蒲公英托育园"  # was filed, then closed

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200
    return text_of(response)


def _filed_names() -> set[str]:
    return set(Institution.objects.filter(filing_status="filed", status="operating").values_list("name", flat=True))


def test_the_search_works_without_login_and_lists_only_filed_operating_institutions(client):
    filed = InstitutionFactory(filed=True)
    unfiled, closed = InstitutionFactory(), InstitutionFactory(filed=True, status=Institution.Status.CLOSED)
    response = client.get("/registry/public/")
    names = {institution.name for institution in response.context["page"]}
    assert filed.name in names and names == _filed_names()
    page = _page(response)
    for absent in (NOT_FILED, RETURNED, CLOSED, "【演示】泗门镇爱心托育中心", unfiled.name, closed.name):
        assert absent not in page


def test_a_family_care_point_shows_its_township_but_not_its_address_or_village(client):
    point = Institution.objects.select_related("village").get(name=FAMILY_POINT)
    assert point.address and point.village.name in point.address
    for url in ("/registry/public/?provider_type=family_care_point", f"/registry/public/{point.pk}/"):
        page = _page(client.get(url))
        assert FAMILY_POINT in page and "泗门镇" in page
        assert point.address not in page
        assert point.village.name not in page
    body = client.get("/api/v1/public/institutions/?provider_type=family_care_point").json()
    assert body["results"][0]["township"] == "泗门镇" and body["results"][0]["address"] == ""
    assert point.address not in str(body) and point.village.name not in str(body)


def test_public_pages_show_the_phone_on_the_record_only_and_no_person_or_credit_code(client):
    """Parents call an institution: its record shows its phone (issue 15). The search list and
    the API for other sites do not, and no page names a person or the credit code."""
    institution = Institution.objects.get(name="【演示】泗门镇中心幼儿园托班")
    detail = _page(client.get(f"/registry/public/{institution.pk}/"))
    search = _page(client.get("/registry/public/"))
    body = str(client.get("/api/v1/public/institutions/").json())
    assert institution.contact_phone in detail
    for text in (detail, search, body):
        assert institution.credit_code not in text
        assert "演示法人" not in text and "演示负责人" not in text
    for text in (search, body):
        assert institution.contact_phone not in text and "1380000" not in text
    assert institution.address in detail  # an ordinary institution's address is public


def test_a_family_care_point_shows_no_phone(client):
    point = Institution.objects.get(name=FAMILY_POINT)
    assert point.contact_phone and point.contact_phone not in _page(client.get(f"/registry/public/{point.pk}/"))


def test_the_public_record_shows_slots_vacancies_fees_filing_and_the_decided_review(client):
    from inspections.models import AnnualReview

    institution = Institution.objects.get(name="【演示】阳明街道示范托育中心")
    review = AnnualReview.objects.exclude(result="").select_related("cycle").get(institution=institution)
    response = client.get(f"/registry/public/{institution.pk}/")
    record = response.context["institution"]
    assert record.slots == 45 and [band.places for band in record.bands] == [10, 15, 20]
    groups = institution.class_groups.all()
    assert sum(band.vacancies for band in record.bands) == sum(max(g.places - g.enrolled, 0) for g in groups)
    assert record.fees[0].amount == 2200 and record.filing_number == institution.filing_number
    assert review.result == AnnualReview.Result.PASS  # the demo's decided review of this institution
    assert record.last_review_result == f"{review.cycle.year}年：合格"
    page = _page(response)
    assert institution.filing_number in page and "2200.00" in page
    assert "暂无年审结果" not in page


def test_an_institution_without_a_decided_review_says_so(client):
    institution = Institution.objects.get(name="【演示】凤山街道贝贝托育园")
    assert "暂无年审结果" in _page(client.get(f"/registry/public/{institution.pk}/"))


@pytest.mark.parametrize("name", [NOT_FILED, RETURNED, CLOSED, "【演示】泗门镇爱心托育中心"])
def test_a_not_filed_institutions_public_page_is_404(name, client, client_as):
    pk = Institution.objects.get(name=name).pk
    assert client.get(f"/registry/public/{pk}/").status_code == 404
    assert client_as("health").get(f"/registry/public/{pk}/").status_code == 404


def test_the_public_selectors_return_public_values_not_model_instances():
    record = selectors.public_institution_list()[0]
    assert isinstance(record, selectors.PublicInstitution)
    for private in ("credit_code", "contact_phone", "legal_representative", "person_in_charge", "village"):
        assert not hasattr(record, private)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("township=330281103", {FAMILY_POINT, "【演示】泗门镇中心幼儿园托班"}),
        ("provider_type=kindergarten_class", {"【演示】泗门镇中心幼儿园托班", "【演示】临山镇中心幼儿园托班"}),
        ("age_band=mixed", {FAMILY_POINT}),
        ("inclusive=yes&township=330281004", {"【演示】阳明街道示范托育中心"}),
        ("text=童趣", {FAMILY_POINT}),
        ("text=演示路", set()),  # addresses are not searched: family care points stay unfindable by street
    ],
)
def test_the_public_search_filters(query, expected, client):
    response = client.get(f"/registry/public/?{query}")
    assert {institution.name for institution in response.context["page"]} == expected
    body = client.get(f"/api/v1/public/institutions/?{query}").json()
    assert {row["name"] for row in body["results"]} == expected


def test_a_bad_public_filter_is_explained_and_lists_nothing(client):
    response = client.get("/registry/public/?age_band=teenagers")
    assert response.status_code == 200
    assert "age_band" in response.context["form"].errors and len(response.context["page"]) == 0
    response = client.get("/api/v1/public/institutions/?township=999")
    assert response.status_code == 400 and "township" in response.json()["error"]["fields"]


def _add_filed_institutions(count: int) -> None:
    villages = list(Region.objects.filter(parent__code="330281106")[:8])
    for index in range(count):
        institution = services.institution_create(
            actor=None, name=f"公开测试机构{index:03d}", legal_form="company", provider_type="standalone",
            village=villages[index % len(villages)], address=f"公开路{index}号",
        )  # fmt: skip
        ClassGroup.objects.create(institution=institution, name="托小班", age_band="toddler", places=15)
        ClassGroup.objects.create(institution=institution, name="托大班", age_band="older", places=20)
        FeeSchedule.objects.create(
            institution=institution, service_mode="full_day", amount=3000, effective_from="2026-01-01"
        )
    Institution.objects.filter(name__startswith="公开测试机构").update(filing_status="filed", status="operating")


@pytest.mark.parametrize("size", [10, 60])
def test_the_public_search_keeps_a_fixed_query_count(size, client, client_as, django_assert_max_num_queries):
    _add_filed_institutions(size)
    # 5 for the registry, 3 for the review results of the page (the ``public_results`` hook).
    with django_assert_max_num_queries(8):
        response = client.get("/registry/public/")
    assert response.status_code == 200 and response.context["page"].paginator.count == 8 + size
    with django_assert_max_num_queries(8):
        assert client.get("/registry/public/?age_band=toddler&page=2").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/public/institutions/").status_code == 200
    health = client_as("health")
    with django_assert_max_num_queries(16):
        assert health.get("/registry/public/").status_code == 200
