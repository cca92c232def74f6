"""A filing's documents read in place (issue 17): PDF and images shown in the page under a
sandboxing policy, Word and Excel downloaded, the reading view going through the documents one
after another with the return reason beside each, every document served in the security log,
and another institution's document out of sight (404)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import SecurityEvent, User
from paperwork import files
from paperwork.models import StoredFile
from registry.models import Filing, FilingAttachment, Institution
from tests.helpers import text_of
from tests.test_security_headers import directives

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% scanned licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _filing(code: str) -> Filing:
    institution = Institution.objects.get(organisation__code=code)
    filing = institution.filings.filter(status__in=Filing.OPEN_STATUSES).first()
    return filing or Filing.objects.create(institution=institution, kind=Filing.Kind.INITIAL)


def _attach(filing: Filing, kind: str, name: str, content: bytes, allowed: str) -> FilingAttachment:
    stored = files.store(SimpleUploadedFile(name, content), folder="filings", allowed=(allowed,), max_bytes=10**6)
    return FilingAttachment.objects.create(
        filing=filing, kind=kind, stored=stored, uploaded_by=User.objects.get(username="nursery1")
    )


@pytest.fixture
def filing_a() -> Filing:
    """nursery1's open filing (institution A, 泗门镇) with a PDF, a PNG and a Word document."""
    filing = _filing("demo-simen-xingxing")
    filing.attachments.all().delete()
    _attach(filing, "fire_safety", "消防验收.pdf", PDF, files.PDF)
    _attach(filing, "premises", "场地照片.png", PNG, files.PNG)
    _attach(filing, "other", "说明.docx", _docx(), files.DOCX)
    return filing


def _attachment(filing: Filing, kind: str) -> FilingAttachment:
    return filing.attachments.get(kind=kind)


def _view(client, attachment: FilingAttachment):
    return client.get(reverse("filing_attachment_view", kwargs={"pk": attachment.pk}))


# --- The document itself --------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "content_type", "content"), [("fire_safety", "application/pdf", PDF),
                                                                ("premises", "image/png", PNG)])  # fmt: skip
def test_a_pdf_or_an_image_is_shown_inline_in_a_sandbox(client_as, filing_a, kind, content_type, content):
    attachment = _attachment(filing_a, kind)
    response = _view(client_as("health"), attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == content
    policy = directives(response["Content-Security-Policy"])
    assert "sandbox" in policy and policy["sandbox"] == []  # no script, no form, no same origin
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert "script-src" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the reading view frames it, nobody else
    assert response["Cache-Control"] == "private, no-store"


def test_a_word_document_is_downloaded_not_shown(client_as, filing_a):
    response = _view(client_as("health"), _attachment(filing_a, "other"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == files.DOCX
    assert response["X-Frame-Options"] == "DENY"
    assert "sandbox" in directives(response["Content-Security-Policy"])


def test_the_type_comes_from_the_content_judged_at_upload_not_from_the_file_name(client_as, filing_a):
    """A PNG whose recorded name says .html is served as the PNG it is."""
    attachment = _attachment(filing_a, "premises")
    StoredFile.objects.filter(pk=attachment.stored_id).update(original_name="页面.html")
    response = _view(client_as("nursery1"), attachment)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_another_institutions_document_is_not_found(client_as, filing_a):
    attachment = _attachment(filing_a, "fire_safety")
    for username in ("nursery2", "lizhou", "fire"):
        assert _view(client_as(username), attachment).status_code == 404, username
        page = client_as(username).get(reverse("filing_documents", kwargs={"pk": filing_a.pk}))
        assert page.status_code == 404, username
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OUT_OF_SCOPE, username="nursery2").exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DOCUMENT_OPENED).exists()


def test_every_document_served_is_in_the_security_log(client_as, filing_a):
    pdf = _attachment(filing_a, "fire_safety")
    _view(client_as("simen"), pdf)
    client_as("nursery1").get(reverse("filing_attachment_download", kwargs={"pk": pdf.pk}))
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DOCUMENT_OPENED).order_by("pk")
    assert [(e.username, e.detail["attachment"], e.detail["how"]) for e in events] == [
        ("simen", pdf.pk, "shown"),
        ("nursery1", pdf.pk, "download"),
    ]
    assert events[0].path == reverse("filing_attachment_view", kwargs={"pk": pdf.pk})


# --- The reading view -----------------------------------------------------------------------


def _read(client, filing: Filing, attachment: FilingAttachment | None = None):
    if attachment is None:
        return client.get(reverse("filing_documents", kwargs={"pk": filing.pk}))
    return client.get(reverse("filing_document", kwargs={"pk": filing.pk, "attachment": attachment.pk}))


def test_the_reading_view_goes_through_the_documents_in_the_order_of_the_rules(client_as, filing_a):
    client = client_as("health")
    first = _read(client, filing_a)
    order = [row["attachment"].kind for row in first.context["rows"]]
    assert order == ["premises", "fire_safety", "other"]  # required ones as the rules list them, then the rest
    assert first.context["current"]["attachment"].kind == "premises" and first.context["previous"] is None
    html = first.content.decode()
    assert 'data-testid="document-image"' in html
    assert reverse("filing_attachment_view", kwargs={"pk": _attachment(filing_a, "premises").pk}) in html

    second = _read(client, filing_a, first.context["next"]["attachment"])
    assert second.context["current"]["attachment"].kind == "fire_safety"
    assert second.context["previous"]["attachment"].kind == "premises"
    assert 'data-testid="document-frame"' in second.content.decode()  # a PDF in a frame of the page

    last = _read(client, filing_a, second.context["next"]["attachment"])
    assert last.context["next"] is None
    assert 'data-testid="document-download"' in last.content.decode()  # Word: downloaded


def test_each_document_shows_the_reason_its_return_gave(client_as, filing_a):
    Filing.objects.filter(pk=filing_a.pk).update(
        return_reasons={"fire_safety": "消防验收意见书已过期。", "general": "请补充说明。"}
    )
    client = client_as("nursery1")
    fire = _read(client, filing_a, _attachment(filing_a, "fire_safety"))
    text = text_of(fire)
    assert fire.context["current"]["reason"] == "消防验收意见书已过期。"
    assert 'data-testid="document-reason"' in text and "消防验收意见书已过期。" in text
    assert "请补充说明。" in text  # the general reason stands above every document
    premises = _read(client, filing_a, _attachment(filing_a, "premises"))
    assert premises.context["current"]["reason"] == ""
    assert 'data-testid="document-reason"' not in premises.content.decode()
    # The list beside marks which documents were given a reason.
    assert [row["reason"] != "" for row in premises.context["rows"]] == [False, True, False]


def test_the_reading_page_itself_is_not_framable(client_as, filing_a):
    response = _read(client_as("health"), filing_a)
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_document_of_another_filing_is_not_read_through_this_one(client_as, filing_a):
    other = _filing("demo-lizhou-yangguang").attachments.first()
    assert _read(client_as("health"), filing_a, other).status_code == 404


def test_the_filing_page_links_to_the_reading_view(client_as, filing_a):
    html = client_as("health").get(reverse("filing_detail", kwargs={"pk": filing_a.pk})).content.decode()
    assert reverse("filing_documents", kwargs={"pk": filing_a.pk}) in html
    pdf = _attachment(filing_a, "fire_safety")
    assert reverse("filing_document", kwargs={"pk": filing_a.pk, "attachment": pdf.pk}) in html


@pytest.mark.parametrize("extra", [0, 8])
def test_the_reading_view_keeps_a_fixed_number_of_queries(client_as, filing_a, extra, django_assert_max_num_queries):
    for index in range(extra):
        _attach(filing_a, "other", f"附件{index}.pdf", PDF + str(index).encode(), files.PDF)
    for username in ("health", "nursery1"):
        client = client_as(username)
        with django_assert_max_num_queries(9):
            response = _read(client, filing_a)
        assert response.status_code == 200 and len(response.context["rows"]) == 3 + extra
