"""The certificate pages with the demo accounts: recording a certificate with a scan judged by its
content, the scan download (a reveal when someone outside the institution opens it), withdrawal,
the HR bureau's queue and decisions (and the rate on the institution page moving with them), the
expiring list, the kinds of certificate and the health bureau's choice of which count, and a
fixed number of queries for a queue of 10 and of 300."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, SecurityEvent
from tests.factories import CertificateFactory
from tests.helpers import english
from tests.training.helpers import PDF, add_staff, institution, pdf_scan
from training import selectors
from training.models import Certificate, CertificateKind, StaffMember

pytestmark = pytest.mark.django_db

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, 泗门镇
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道


def _caregiver(code: str = INSTITUTION_A) -> StaffMember:
    return (
        StaffMember.objects.filter(institution__organisation__code=code, role="caregiver", left_on__isnull=True)
        .order_by("pk")
        .first()
    )


def _demo_pending() -> Certificate:
    """The demo's certificate of a nursery1 caregiver waiting for the HR bureau."""
    return Certificate.objects.get(
        status=Certificate.Status.PENDING, staff__institution__organisation__code=INSTITUTION_A
    )


def _form(**extra) -> dict:
    kind = CertificateKind.objects.get(code="infant-carer")
    return {
        "kind": kind.pk,
        "level": "四级",
        "number": "测试证书0001",
        "issuer": "浙江省人力资源和社会保障厅",
        "issued_on": "2024-06-01",
        "expires_on": "",
        **extra,
    }


def _add_certificate(client, member, **extra):
    return client.post(reverse("certificate_create", args=[member.pk]), {"scan": pdf_scan(), **_form(**extra)})


def _rate_on_institution_page(client, institution_pk: int) -> str:
    page = client.get(reverse("institution_detail", args=[institution_pk])).content.decode()
    return re.search(r'id="certification-rate">.*?data-rate="([\d.]+)"', page, re.S).group(1)


# --- Recording a certificate ------------------------------------------------------------------


def test_an_officer_records_a_certificate_with_a_scan(client_as):
    member = _caregiver()
    response = _add_certificate(client_as("nursery1"), member)
    assert response.status_code == 302 and response["Location"] == reverse("staff_detail", args=[member.pk])
    certificate = Certificate.objects.get(number="测试证书0001")
    assert (certificate.staff, certificate.status, certificate.level) == (member, "pending", "四级")
    assert (certificate.scan.content_type, certificate.scan.size, certificate.scan.original_name) == (
        "application/pdf",
        len(PDF),
        "certificate.pdf",
    )
    assert certificate.scan.file.read() == PDF
    assert AuditEvent.objects.filter(event="certificate.added", object_id=str(certificate.pk)).exists()


def test_a_scan_is_judged_by_its_content_not_its_name(client_as):
    member = _caregiver()
    fake = SimpleUploadedFile("证书.pdf", b"just some text, not a PDF", content_type="application/pdf")
    client = english(client_as("nursery1"))
    response = client.post(reverse("certificate_create", args=[member.pk]), {"scan": fake, **_form()})
    assert response.status_code == 200
    assert "is not a PDF, JPEG or PNG file" in response.content.decode()
    assert not Certificate.objects.filter(number="测试证书0001").exists()


def test_a_scan_over_10_mb_is_refused(client_as):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    client = english(client_as("nursery1"))
    response = client.post(reverse("certificate_create", args=[_caregiver().pk]), {"scan": big, **_form()})
    assert "files may be at most 10 MB" in response.content.decode()
    assert not Certificate.objects.filter(number="测试证书0001").exists()


def test_the_level_must_be_one_of_the_kinds_levels(client_as):
    client = english(client_as("nursery1"))
    response = _add_certificate(client, _caregiver(), level="一级")  # 育婴员 has 五级, 四级, 三级
    assert "Choose one of the levels: 五级、四级、三级." in response.content.decode()
    assert not Certificate.objects.filter(number="测试证书0001").exists()


def test_a_certificate_number_is_recorded_once(client_as):
    client = english(client_as("nursery1"))
    _add_certificate(client, _caregiver())
    again = _add_certificate(client, _caregiver(INSTITUTION_A))
    assert "already recorded" in again.content.decode()
    assert Certificate.objects.filter(number="测试证书0001").count() == 1


def test_only_the_institutions_officers_record_certificates(client_as):
    member = _caregiver()
    url = reverse("certificate_create", args=[member.pk])
    for username in ("simen", "health", "hrss"):
        assert client_as(username).get(url).status_code == 403
        assert _add_certificate(client_as(username), member).status_code == 403
    for username in ("nursery2", "lizhou", "leader", "stranger"):
        assert client_as(username).get(url).status_code == 404
    assert not Certificate.objects.filter(number="测试证书0001").exists()


# --- The scan ---------------------------------------------------------------------------------


def test_the_scan_is_a_download_through_the_policy_and_a_reveal_for_outsiders(client_as):
    _add_certificate(client_as("nursery1"), _caregiver())
    certificate = Certificate.objects.get(number="测试证书0001")
    url = reverse("certificate_scan", args=[certificate.pk])
    own = client_as("nursery1").get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert own["Content-Disposition"].startswith("attachment")
    assert own["X-Content-Type-Options"] == "nosniff" and "no-store" in own["Cache-Control"]
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).exists()
    for username in ("hrss", "simen"):
        assert client_as(username).get(url).status_code == 200
        event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username=username).get()
        assert (event.detail["model"], event.detail["pk"]) == ("training.certificate", certificate.pk)
    for username in ("lizhou", "nursery2", "fire", "stranger"):
        assert client_as(username).get(url).status_code == 404


def test_a_certificate_without_a_scan_has_nothing_to_download(client_as):
    without = Certificate.objects.filter(staff__institution__organisation__code=INSTITUTION_A, scan=None).first()
    assert without is not None
    assert client_as("nursery1").get(reverse("certificate_scan", args=[without.pk])).status_code == 404


# --- Withdrawal -------------------------------------------------------------------------------


def test_an_unverified_certificate_is_withdrawn_and_a_verified_one_is_not(client_as):
    pending = _demo_pending()
    client = english(client_as("nursery1"))
    assert client_as("simen").post(reverse("certificate_withdraw", args=[pending.pk])).status_code == 403
    assert client_as("lizhou").post(reverse("certificate_withdraw", args=[pending.pk])).status_code == 404
    assert client.post(reverse("certificate_withdraw", args=[pending.pk])).status_code == 302
    assert not Certificate.objects.filter(pk=pending.pk).exists()
    verified = Certificate.objects.filter(status="verified", staff__institution__organisation__code=INSTITUTION_A)[0]
    response = client.post(reverse("certificate_withdraw", args=[verified.pk]), follow=True)
    assert "A verified certificate cannot be removed." in response.content.decode()
    assert Certificate.objects.filter(pk=verified.pk).exists()


# --- The HR bureau's queue and decisions ------------------------------------------------------


def test_hrss_sees_pending_certificates_city_wide_oldest_first(cast, client_as):
    newer = add_staff(cast["nursery2"], sequence=30, institution_code=INSTITUTION_B)
    late = CertificateFactory(staff=newer)
    response = client_as("hrss").get(reverse("certificate_queue"))
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert {c.status for c in listed} == {"pending"}
    assert listed.index(_demo_pending()) < listed.index(late)
    assert reverse("certificate_verify", args=[late.pk]) in response.content.decode()
    only_lizhou = client_as("hrss").get(reverse("certificate_queue"), {"township": "330281001"})
    assert list(only_lizhou.context["page"].object_list) == [late]
    verified = client_as("hrss").get(reverse("certificate_queue"), {"status": "verified"})
    assert {c.status for c in verified.context["page"].object_list} == {"verified"}


def test_the_health_bureau_reads_the_queue_without_deciding(client_as):
    response = client_as("health").get(reverse("certificate_queue"))
    assert _demo_pending() in response.context["page"].object_list
    assert not response.context["may_verify"]
    assert reverse("certificate_verify", args=[_demo_pending().pk]) not in response.content.decode()


def test_an_institution_sees_its_own_certificates_and_their_status(client_as):
    response = client_as("nursery1").get(reverse("certificate_queue"))
    listed = list(response.context["page"].paginator.object_list)
    assert {c.staff.institution.organisation.code for c in listed} == {INSTITUTION_A}
    assert {c.status for c in listed} >= {"pending", "verified"}
    assert reverse("certificate_verify", args=[_demo_pending().pk]) not in response.content.decode()
    for username in ("leader", "fire", "edu", "stranger"):
        assert client_as(username).get(reverse("certificate_queue")).context["page"].paginator.count == 0
    lizhou = client_as("lizhou").get(reverse("certificate_queue"), {"status": "all"})
    assert _demo_pending() not in lizhou.context["page"].paginator.object_list


def test_hrss_verifies_and_the_rate_on_the_institution_page_moves(client_as):
    pending = _demo_pending()
    nursery1 = pending.staff.institution
    before = selectors.institution_rate(institution=nursery1)
    assert _rate_on_institution_page(client_as("nursery1"), nursery1.pk) == str(before.percent)
    response = client_as("hrss").post(reverse("certificate_verify", args=[pending.pk]), {"note": "与原件一致"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.verified_by.code, pending.verification_note) == ("verified", "hrss", "与原件一致")
    after = selectors.institution_rate(institution=nursery1)
    assert (after.certified, after.total) == (before.certified + 1, before.total)
    assert _rate_on_institution_page(client_as("nursery1"), nursery1.pk) == str(after.percent) != str(before.percent)


def test_a_second_decision_gets_a_message_not_an_error(client_as):
    pending = _demo_pending()
    client = english(client_as("hrss"))
    client.post(reverse("certificate_verify", args=[pending.pk]))
    for url, data in (("certificate_verify", {}), ("certificate_reject", {"note": "模糊"})):
        again = client.post(reverse(url, args=[pending.pk]), data, follow=True)
        assert again.status_code == 200
        assert "This certificate has already been decided." in again.content.decode()
    pending.refresh_from_db()
    assert pending.status == "verified"


def test_a_rejection_needs_a_reason_and_shows_on_the_record(client_as):
    pending = _demo_pending()
    client = english(client_as("hrss"))
    refused = client.post(reverse("certificate_reject", args=[pending.pk]), {"note": " "}, follow=True)
    assert "Say why the certificate is rejected." in refused.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"
    client.post(reverse("certificate_reject", args=[pending.pk]), {"note": "证书编号与系统不符"})
    pending.refresh_from_db()
    assert (pending.status, pending.verification_note) == ("rejected", "证书编号与系统不符")
    record = client_as("nursery1").get(reverse("staff_detail", args=[pending.staff_id])).content.decode()
    assert "证书编号与系统不符" in record


def test_only_hrss_decides(client_as):
    pending = _demo_pending()
    for username, status in (("health", 403), ("simen", 403), ("nursery1", 403), ("lizhou", 404), ("leader", 404)):
        assert client_as(username).post(reverse("certificate_verify", args=[pending.pk])).status_code == status
        assert client_as(username).post(
            reverse("certificate_reject", args=[pending.pk]), {"note": "x"}
        ).status_code == (status)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_decision_returns_to_the_page_it_came_from_on_this_site_only(client_as):
    pending = _demo_pending()
    record = reverse("staff_detail", args=[pending.staff_id])
    response = client_as("hrss").post(reverse("certificate_verify", args=[pending.pk]), {"next": record})
    assert response["Location"] == record
    other = _caregiver()
    Certificate.objects.filter(pk=pending.pk).update(status="pending")
    response = client_as("hrss").post(
        reverse("certificate_verify", args=[pending.pk]), {"next": f"https://evil.example/{other.pk}"}
    )
    assert response["Location"] == reverse("certificate_queue")


@pytest.mark.parametrize("size", [10, 300])
def test_the_queue_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    staff = list(StaffMember.objects.filter(left_on__isnull=True).order_by("pk")[:30])
    kind = CertificateKind.objects.get(code="infant-carer")
    Certificate.objects.bulk_create(
        Certificate(
            staff=staff[i % len(staff)],
            kind=kind,
            level="五级",
            number=f"队列{i}",
            issuer="测试",
            issued_on=date(2024, 1, 1),
        )  # fmt: skip
        for i in range(size)
    )
    for username in ("hrss", "health", "nursery1"):
        client = client_as(username)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("certificate_queue"))
        assert response.status_code == 200 and response.context["page"].paginator.count >= min(size, 1)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("certificate_queue"), {"status": "all", "page": 2}).status_code == 200


# --- Expiring ---------------------------------------------------------------------------------


def test_the_expiring_list_shows_each_viewer_what_is_in_sight_with_expired_highlighted(cast, client_as):
    today = timezone.localdate()
    lapsed = add_staff(
        cast["nursery2"], sequence=31, institution_code=INSTITUTION_B, health_certificate_expires=today - timedelta(1)
    )
    own = client_as("nursery1").get(reverse("certificate_expiring"))
    items = list(own.context["page"].object_list)
    assert items and {item.staff.institution.organisation.code for item in items} == {INSTITUTION_A}
    assert any(item.expired for item in items) and any(not item.expired for item in items)
    assert 'class="table-danger"' in own.content.decode()
    for username in ("health", "hrss"):
        seen = {item.staff for item in client_as(username).get(reverse("certificate_expiring")).context["page"]}
        assert lapsed in seen and {i.staff for i in items} <= seen
    simen = {item.staff for item in client_as("simen").get(reverse("certificate_expiring")).context["page"]}
    assert lapsed not in simen and {i.staff for i in items} <= simen
    for username in ("leader", "fire", "stranger"):
        assert client_as(username).get(reverse("certificate_expiring")).context["page"].paginator.count == 0


# --- Kinds of certificate and the definition of the rate --------------------------------------


def test_every_member_reads_the_kinds_and_the_definition(client_as):
    client = english(client_as("nursery1"))
    response = client.get(reverse("certificate_kind_list"))
    assert [kind.code for kind in response.context["kinds"]] == list(
        CertificateKind.objects.values_list("code", flat=True)
    )
    page = response.content.decode()
    assert "How the certification rate is counted" in page and "育婴员" in page
    assert 'data-testid="counts-infant-carer"' in page
    assert reverse("certificate_kind_update", args=[CertificateKind.objects.get(code="infant-carer").pk]) not in page
    assert client_as("stranger").get(reverse("certificate_kind_list")).context["kinds"] == []


def test_the_health_bureau_decides_which_kinds_count_and_the_rate_follows(client_as):
    kind = CertificateKind.objects.get(code="infant-carer")
    nursery1 = institution(INSTITUTION_A)
    before = selectors.institution_rate(institution=nursery1)
    url = reverse("certificate_kind_update", args=[kind.pk])
    assert client_as("nursery1").post(url, {"counts_for_rate": "0"}).status_code == 403
    assert client_as("hrss").post(url, {"counts_for_rate": "0"}).status_code == 403
    assert client_as("stranger").post(url, {"counts_for_rate": "0"}).status_code == 404
    kind.refresh_from_db()
    assert kind.counts_for_rate
    assert client_as("health").post(url, {"counts_for_rate": "0"}).status_code == 302
    kind.refresh_from_db()
    assert not kind.counts_for_rate
    assert AuditEvent.objects.filter(event="certificate_kind.changed", object_id=str(kind.pk)).exists()
    after = selectors.institution_rate(institution=nursery1)
    assert after.certified < before.certified
    listed = client_as("nursery1").get(reverse("certificate_kind_list")).content.decode()
    assert re.search(r'data-testid="counts-infant-carer"><span class="badge text-bg-secondary">', listed)
