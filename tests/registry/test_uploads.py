"""Filing documents: uploads are judged by their content, refused files leave nothing behind,
and files leave the server only through the download view, after the access policy."""

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from accounts.models import AuditEvent
from registry.models import Filing, FilingAttachment, Institution, Parameter
from registry.services import filings as filing_services
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% scanned licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def draft(cast) -> Filing:
    """nursery1's new initial filing (institution A, in 泗门镇)."""
    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    return filing_services.filing_start(actor=cast["nursery1"], institution=institution)


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


def post_upload(client, filing, name, content, *, kind="premises", browser_type="application/octet-stream"):
    file = SimpleUploadedFile(name, content, content_type=browser_type)
    return client.post(
        reverse("filing_attachment_upload", kwargs={"pk": filing.pk}), {"kind": kind, "file": file}, follow=True
    )


# --- Accepted -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "real_type"),
    [
        ("营业执照.pdf", PDF, "application/pdf"),
        ("场地照片.png", PNG, "image/png"),
        ("消防验收.jpg", JPEG, "image/jpeg"),
        ("SCAN.JPEG", JPEG, "image/jpeg"),
    ],
)
def test_a_pdf_png_or_jpeg_is_stored_with_its_real_type(en, draft, cast, name, content, real_type):
    before = stored_files()
    # The browser's claim (text/plain) is ignored: the type comes from the content.
    response = post_upload(en("nursery1"), draft, name, content, browser_type="text/plain")
    assert messages_of(response) == [f"{name} added as “Proof of premises”."]
    attachment = FilingAttachment.objects.get(filing=draft)
    stored = attachment.stored
    assert (attachment.kind, stored.original_name, stored.content_type) == ("premises", name, real_type)
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == cast["nursery1"]
    [new] = stored_files() - before
    assert new.read_bytes() == content
    assert name not in str(new)  # the stored name never reuses the uploaded one
    assert AuditEvent.objects.filter(event="filing.attachment_added", object_id=str(attachment.pk)).exists()


# --- Refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("licence.pdf", HTML, "licence.pdf is not a PDF, JPEG or PNG file (or an allowed office file) by its content"),
        ("setup.pdf", EXE, "setup.pdf is not a PDF, JPEG or PNG file (or an allowed office file) by its content"),
        ("notes.txt", b"just some text", "notes.txt is not a PDF, JPEG or PNG file"),
        ("photo.pdf", PNG, "photo.pdf is named as another type than its content (PNG); rename or convert it."),
        ("scan.png", PDF, "scan.png is named as another type than its content (PDF); rename or convert it."),
        ("noextension", JPEG, "noextension is named as another type than its content (JPEG/JPG)"),
    ],
)
def test_a_file_that_lies_about_its_type_is_refused_and_nothing_is_saved(en, draft, name, content, message):
    before = stored_files()
    response = post_upload(en("nursery1"), draft, name, content, browser_type="application/pdf")
    [shown] = messages_of(response)
    assert shown.startswith(message), shown
    assert not FilingAttachment.objects.filter(filing=draft).exists()
    assert stored_files() == before


def test_the_refusal_is_shown_in_the_users_language(client_as, draft):
    """The message goes through gettext: a Chinese-language user gets the catalogue's wording."""
    response = post_upload(client_as("nursery1"), draft, "licence.pdf", HTML)
    assert messages_of(response) == [
        "经内容检测，licence.pdf不是PDF、JPEG或PNG文件（也不是允许的办公文档），未予保存。"
    ]
    assert response.context["LANGUAGE_CODE"] == "zh-hans"


def test_an_oversize_file_is_refused(en, draft):
    Parameter.objects.filter(key="upload.max_megabytes").update(value=1)
    before = stored_files()
    content = PDF + b"0" * (1024 * 1024)
    response = post_upload(en("nursery1"), draft, "big.pdf", content)
    assert messages_of(response) == ["big.pdf is 1.0 MB; files may be at most 1 MB."]
    assert not FilingAttachment.objects.filter(filing=draft).exists()
    assert stored_files() == before


def test_an_empty_file_is_refused(en, draft):
    before = stored_files()
    response = post_upload(en("nursery1"), draft, "empty.pdf", b"")
    assert messages_of(response) == ["empty.pdf is empty."]
    assert not FilingAttachment.objects.filter(filing=draft).exists()
    assert stored_files() == before


def test_an_upload_without_a_file_or_with_an_unknown_document_is_refused(en, draft):
    client = en("nursery1")
    url = reverse("filing_attachment_upload", kwargs={"pk": draft.pk})
    response = client.post(url, {"kind": "premises"}, follow=True)
    assert messages_of(response) == ["File: This field is required."]
    response = post_upload(client, draft, "scan.pdf", PDF, kind="swimming_pool")
    [message] = messages_of(response)
    assert message.startswith("Document: Select a valid choice.")
    assert not FilingAttachment.objects.filter(filing=draft).exists()


def test_another_institution_cannot_upload_to_the_filing(client_as, draft):
    before = stored_files()
    response = post_upload(client_as("nursery2"), draft, "scan.pdf", PDF)
    assert response.status_code == 404
    assert not FilingAttachment.objects.filter(filing=draft).exists()
    assert stored_files() == before


# --- Downloads ----------------------------------------------------------------------------


@pytest.fixture
def attachment(en, draft) -> FilingAttachment:
    post_upload(en("nursery1"), draft, "消防验收意见书.pdf", PDF, kind="fire_safety")
    return FilingAttachment.objects.get(filing=draft)


def download(client, attachment):
    return client.get(reverse("filing_attachment_download", kwargs={"pk": attachment.pk}))


@pytest.mark.parametrize("username", ["nursery1", "health", "simen"])
def test_the_institution_the_health_bureau_and_its_township_download_with_safe_headers(client_as, attachment, username):
    response = download(client_as(username), attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("消防验收意见书.pdf") in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("username", ["nursery2", "lizhou", "mca", "amr", "fire", "leader", "stranger", "auditor"])
def test_others_get_404_for_the_attachment(client_as, attachment, username):
    assert download(client_as(username), attachment).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client_as, attachment):
    response = download(client_as(None), attachment)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_demo_attachment_of_nursery2_downloads_for_its_head_only(client_as):
    demo = FilingAttachment.objects.filter(filing__institution__organisation__code="demo-lizhou-yangguang").first()
    assert download(client_as("nursery2"), demo).status_code == 200
    assert download(client_as("lizhou"), demo).status_code == 200
    assert download(client_as("nursery1"), demo).status_code == 404
    assert download(client_as("simen"), demo).status_code == 404


def test_a_file_missing_from_storage_answers_404_not_500(client_as, attachment):
    Path(attachment.stored.file.path).unlink()
    assert download(client_as("nursery1"), attachment).status_code == 404


def test_stored_files_have_no_url_of_their_own(client_as, attachment):
    """Files live in MEDIA_ROOT, outside the web root; no route serves them directly."""
    assert not settings.MEDIA_URL or settings.MEDIA_URL in ("/", "")
    for candidate in (f"/{attachment.stored.file.name}", f"/media/{attachment.stored.file.name}"):
        with pytest.raises(Resolver404):
            resolve(candidate)
        assert client_as("nursery1").get(candidate).status_code == 404
    assert not Path(attachment.stored.file.path).resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve())


# --- Removing -----------------------------------------------------------------------------


def test_the_institution_removes_a_document_of_its_draft(en, attachment):
    response = en("nursery1").post(reverse("filing_attachment_delete", kwargs={"pk": attachment.pk}), follow=True)
    assert messages_of(response) == ["消防验收意见书.pdf removed."]
    assert not FilingAttachment.objects.filter(pk=attachment.pk).exists()
    assert AuditEvent.objects.filter(event="filing.attachment_removed", object_id=str(attachment.pk)).exists()


@pytest.mark.parametrize(("username", "status"), [("health", 403), ("simen", 403), ("nursery2", 404), ("lizhou", 404)])
def test_nobody_else_removes_it(client_as, attachment, username, status):
    response = client_as(username).post(reverse("filing_attachment_delete", kwargs={"pk": attachment.pk}))
    assert response.status_code == status
    assert FilingAttachment.objects.filter(pk=attachment.pk).exists()
