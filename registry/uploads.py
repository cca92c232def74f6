"""Uploaded files are judged by their content, not by their name or the browser's claim."""

import hashlib
import zipfile

from django.utils.translation import gettext as _

from accounts.errors import ApplicationError

PDF, JPEG, PNG, DOCX, XLSX = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
EXTENSIONS = {PDF: {"pdf"}, JPEG: {"jpg", "jpeg"}, PNG: {"png"}, DOCX: {"docx"}, XLSX: {"xlsx"}}
DOCUMENT_TYPES = (PDF, JPEG, PNG, DOCX, XLSX)


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
