"""Printable documents as PDF: the page a user prints, rendered server-side by WeasyPrint.

The PDF is made from the very HTML the print page shows (one template, its ``@media print``
rules hide the on-screen buttons), so the two cannot drift apart. The template names the CJK
fonts by family ('Noto Serif CJK SC', 'Noto Sans CJK SC', from Debian's fonts-noto-cjk);
WeasyPrint finds them through fontconfig and embeds a subset, so the Chinese in the PDF is
real, searchable text.

Nothing is fetched while rendering: the documents carry their styles inline and the fetcher
refuses every URL, so text typed by users can never make the server read a file or call out.

WeasyPrint needs Pango at run time (Debian: libpango-1.0-0, libpangoft2-1.0-0, and the fonts
in fonts-noto-cjk). It is imported on first use: without it the print pages still work and
the PDF link answers with a message instead of an error.
"""

from django.utils.translation import gettext as _


class PdfUnavailable(Exception):
    """The PDF engine (WeasyPrint and its system libraries) is not installed here."""


def _engine():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango missing from the system
        raise PdfUnavailable(_("PDF output is not available on this server; print the page instead.")) from error
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (A4 and margins come from its ``@page``)."""
    weasyprint = _engine()
    fetcher = weasyprint.URLFetcher(allowed_protocols=(), fail_on_errors=False)
    return weasyprint.HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf()
