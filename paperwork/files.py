"""Stored files: an upload is judged by its content, not by its name or the browser's claim,
kept under ``MEDIA_ROOT`` (outside the web root, there is no media URL) under its hash, and
leaves only through ``response``, which a view calls after the policy check of the record
that owns the file.

The size limit is the caller's: the apps pass the figure of their parameter
(``upload.max_megabytes``), the kit knows no parameters."""

import hashlib
import zipfile

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from paperwork.errors import ApplicationError
from paperwork.models import StoredFile
from paperwork.spreadsheets import workbook_problem

PDF, JPEG, PNG, DOCX, XLSX = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
EXTENSIONS = {PDF: {"pdf"}, JPEG: {"jpg", "jpeg"}, PNG: {"png"}, DOCX: {"docx"}, XLSX: {"xlsx"}}
DOCUMENT_TYPES = (PDF, JPEG, PNG, DOCX, XLSX)
# What a browser shows in the page by itself; office files are always downloaded.
SHOWN_IN_PAGE = (PDF, JPEG, PNG)
# The answer that carries an uploaded document shown in the page: a sandbox (no script, no
# form, no same-origin access: a PDF's or an image's own content cannot act as the portal),
# nothing loaded from anywhere but the document itself, inline styles for the browser's own
# viewer page, and framed only by the portal's own pages (the reading view).
DOCUMENT_CSP = "; ".join(
    [
        "sandbox",
        "default-src 'none'",
        "img-src 'self'",
        "style-src 'unsafe-inline'",
        "frame-ancestors 'self'",
        "form-action 'none'",
        "base-uri 'none'",
    ]
)


def sniff(head: bytes, file) -> str | None:
    """The real type of a file from its first bytes (and, for office files, its parts)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return DOCX
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return XLSX
    return None


def check_upload(uploaded, *, allowed: tuple[str, ...], max_bytes: int) -> tuple[str, str]:
    """Refuse, with a message in the user's language, a file that is too big, of a type not
    allowed, or whose name claims another type than its content. Returns (type, sha256)."""
    if uploaded.size > max_bytes:
        raise ApplicationError(
            _("%(name)s is %(size).1f MB; files may be at most %(max)d MB.")
            % {"name": uploaded.name, "size": uploaded.size / 1048576, "max": max_bytes // 1048576}
        )
    if uploaded.size == 0:
        raise ApplicationError(_("%(name)s is empty.") % {"name": uploaded.name})
    head = uploaded.read(16)
    uploaded.seek(0)
    real = sniff(head, uploaded)
    if real not in allowed:
        raise ApplicationError(
            _("%(name)s is not a PDF, JPEG or PNG file (or an allowed office file) by its content; it was not saved.")
            % {"name": uploaded.name}
        )
    extension = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if extension not in EXTENSIONS[real]:
        raise ApplicationError(
            _("%(name)s is named as another type than its content (%(real)s); rename or convert it.")
            % {"name": uploaded.name, "real": "/".join(sorted(EXTENSIONS[real])).upper()}
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return real, digest.hexdigest()


def check_workbook(uploaded, *, max_bytes: int) -> None:
    """``check_upload`` of an Excel import: a file that is not an .xlsx workbook by its content
    is told so in those words, not as a document of another type; one that would unpack to
    more than an import can hold (``spreadsheets.workbook_problem``) is refused before it is kept."""
    if 0 < uploaded.size <= max_bytes:
        head = uploaded.read(16)
        uploaded.seek(0)
        if sniff(head, uploaded) != XLSX:
            raise ApplicationError(
                _("%(name)s is not an Excel workbook (.xlsx) by its content: save it from the template as .xlsx.")
                % {"name": uploaded.name}
            )
    check_upload(uploaded, allowed=(XLSX,), max_bytes=max_bytes)
    problem = workbook_problem(uploaded)
    if problem:
        raise ApplicationError(f"{uploaded.name}: {problem}")


def store(uploaded, *, folder: str, allowed: tuple[str, ...], max_bytes: int) -> StoredFile:
    """Check ``uploaded`` (``check_upload``) and keep it as a StoredFile under
    ``<folder>/<year>/<month>/<hash prefix>/<hash>``. The caller checks rights, links the file
    to its owner and records the audit event, in its transaction."""
    content_type, sha256 = check_upload(uploaded, allowed=allowed, max_bytes=max_bytes)
    stored = StoredFile(original_name=uploaded.name[:200], content_type=content_type, size=uploaded.size, sha256=sha256)
    stored.file.save(folder, uploaded, save=False)
    stored.save()
    return stored


def discard(stored: StoredFile) -> None:
    """Delete the file and its row, once its owner is gone (the owner protects it till then)."""
    stored.file.delete(save=False)
    stored.delete()


def response(stored: StoredFile, *, inline: bool = False, filename: str = "") -> FileResponse:
    """The file as the answer to a request whose policy the caller has checked: a download
    (or, ``inline``, shown in the page: photos) of the type judged at upload, never sniffed by
    the browser, never cached. 404 if the file is gone from the storage."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    answer = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename or stored.original_name,
        content_type=stored.content_type,  # judged by content when it was uploaded
    )
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "private, no-store"
    return answer


def shown_in_page(stored: StoredFile) -> bool:
    """A PDF or an image (by the type judged at upload, never by the file's name)."""
    return stored.content_type in SHOWN_IN_PAGE


def document_response(stored: StoredFile) -> FileResponse:
    """The file to be read in the page, after the caller's policy check: a PDF or an image
    inline, under ``DOCUMENT_CSP`` and framable by the portal's own pages only; anything else
    (Word, Excel) as a download. The type is the one judged by content at upload."""
    inline = shown_in_page(stored)
    answer = response(stored, inline=inline)
    answer["Content-Security-Policy"] = DOCUMENT_CSP
    # The reading view frames it; Django's clickjacking middleware keeps a header a view set.
    answer["X-Frame-Options"] = "SAMEORIGIN" if inline else "DENY"
    return answer
