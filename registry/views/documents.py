"""A filing's documents read in place: the reading view goes through them one after another
(previous, next) with the reason the last return gave for each beside it, and a document is
served to be shown in the page.

Sight is the filing's (``selectors.filing_get`` and ``attachment_get``: out of sight is 404,
logged); whoever sees the filing reads its documents. A PDF or an image is shown inline under a
sandboxing Content-Security-Policy (``paperwork.files.document_response``), its type the one
judged by content at upload; Word and Excel files are downloaded. Every document served is in
the security log (``services.attachment_downloaded``).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from paperwork import files
from registry import selectors
from registry.forms.filings import GENERAL
from registry.services import filings as services
from registry.views.filings import _item_label


@login_required
@require_GET
def filing_documents(request, pk: int, attachment: int | None = None):
    """One document of the filing in the page, with the list of all of them to go through."""
    filing = selectors.filing_get(actor=request.user, pk=pk)
    documents = services.reading_order(filing, filing.attachments.all())
    if attachment is None:
        index = 0
    else:
        index = next((i for i, document in enumerate(documents) if document.pk == attachment), None)
        if index is None:
            raise Http404
    reasons = filing.return_reasons or {}
    unchanged = set(services.unchanged_returned_documents(filing, documents))
    rows = [
        {
            "attachment": document,
            "label": _item_label(document.kind),
            "reason": reasons.get(document.kind, ""),
            "unchanged": document.kind in unchanged,
            "shown": files.shown_in_page(document.stored),
            "image": document.stored.content_type in (files.JPEG, files.PNG),
        }
        for document in documents
    ]
    context = {
        "filing": filing,
        "institution": filing.institution,
        "rows": rows,
        "current": rows[index] if rows else None,
        "position": index + 1,
        "previous": rows[index - 1] if rows and index > 0 else None,
        "next": rows[index + 1] if index + 1 < len(rows) else None,
        "general_reason": reasons.get(GENERAL, ""),
    }
    return render(request, "registry/filings/documents.html", context)


@login_required
@require_GET
def filing_attachment_view(request, pk: int):
    """The document for the page: PDF and images inline (sandboxed, framed by the portal's own
    pages only), Word and Excel files as a download."""
    attachment = selectors.attachment_get(actor=request.user, pk=pk)
    response = files.document_response(attachment.stored)
    services.attachment_downloaded(
        actor=request.user, attachment=attachment, request=request, shown=files.shown_in_page(attachment.stored)
    )
    return response


urlpatterns = [
    path("filings/<int:pk>/documents/", filing_documents, name="filing_documents"),
    path("filings/<int:pk>/documents/<int:attachment>/", filing_documents, name="filing_document"),
    path("attachments/<int:pk>/view/", filing_attachment_view, name="filing_attachment_view"),
]
