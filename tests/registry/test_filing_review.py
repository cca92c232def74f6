"""The filing review sees everything that will be judged (issue 13, point 3): the health bureau's
filing page shows the standards warnings and the roster checks of the institution page, and a
filing returned for a document is resubmitted only with that document replaced.

The cast: ``nursery1``'s roster has an expired health certificate among what it lacks;
``nursery2``'s filing was returned for its fire acceptance document (``health`` returned it).
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Filing
from tests.helpers import messages_of, text_of
from tests.registry.test_filings import INSTITUTION_B, submitted_filing_of_nursery1, upload, url

pytestmark = pytest.mark.django_db

ROSTER = re.compile(r'<ul class="list-unstyled mb-2" id="roster-checks">.*?</ul>', re.S)
STANDARDS = re.compile(r'data-testid="standards-warnings">.*?</ul>', re.S)


def test_the_filing_review_shows_the_roster_checks_and_warnings_of_the_institution_page(en):
    filing = submitted_filing_of_nursery1(en("nursery1"))
    health = en("health")
    review = text_of(health.get(url("filing_detail", filing.pk)))
    record = text_of(health.get(reverse("institution_detail", args=[filing.institution_id])))

    roster = ROSTER.search(record).group(0)
    assert roster.count("✗") >= 2 and "No valid health certificate" in roster  # what the roster lacks
    assert ROSTER.search(review).group(0) == roster
    assert 'id="certification-rate"' in review
    assert [m.group(0) for m in STANDARDS.finditer(review)] == [m.group(0) for m in STANDARDS.finditer(record)]
    # The review no longer tells the reviewer that all is well while the roster says otherwise.
    assert "the class groups meet the standards" not in review


def _returned_filing_of_nursery2() -> Filing:
    filing = Filing.objects.get(institution__organisation__code=INSTITUTION_B)
    assert filing.status == "returned" and "fire_safety" in filing.return_reasons
    return filing


def test_a_filing_returned_for_a_document_is_not_resubmitted_with_that_document_unchanged(en):
    client = en("nursery2")
    filing = _returned_filing_of_nursery2()
    page = text_of(client.get(url("filing_detail", filing.pk)))
    assert "消防验收意见书已过期，请上传有效文件。" in page and 'data-testid="not-replaced"' in page

    response = client.post(url("filing_submit", filing.pk), follow=True)
    assert messages_of(response) == [
        "The filing was returned for “Fire acceptance or inspection”: upload a corrected document before resubmitting."
    ]
    filing.refresh_from_db()
    assert (filing.status, filing.submissions) == ("returned", 1)

    # Another document changed is not enough; the one returned is.
    upload(client, filing, "premises")
    client.post(url("filing_submit", filing.pk))
    filing.refresh_from_db()
    assert filing.status == "returned"
    upload(client, filing, "fire_safety", SimpleUploadedFile("消防验收意见书2026.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert 'data-testid="not-replaced"' not in text_of(client.get(url("filing_detail", filing.pk)))
    client.post(url("filing_submit", filing.pk))
    filing.refresh_from_db()
    assert (filing.status, filing.submissions) == ("submitted", 2)


def test_the_refusal_is_in_chinese_and_the_api_answers_400(client_as):
    filing = _returned_filing_of_nursery2()
    response = client_as("nursery2").post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 400, response.content
    message = "该备案因“消防验收或检查证明”被退回：请先上传更正后的文件，再重新提交。"
    assert response.json()["error"]["message"] == message
    filing.refresh_from_db()
    assert filing.status == "returned"
