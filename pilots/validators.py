"""Upload checks: size and type, decided by the file's content and not only by its name."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024

# Office Open XML files are zip archives; the folder inside tells which kind.
OOXML_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
TEXT_TYPES = {".csv", ".txt"}
ALLOWED_EXTENSIONS = sorted({*SIGNATURES, *OOXML_FOLDERS, *TEXT_TYPES})


def _content_matches(upload: File, extension: str) -> bool:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension in SIGNATURES:
        return head.startswith(SIGNATURES[extension])
    if extension in OOXML_FOLDERS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(
            name.startswith(OOXML_FOLDERS[extension]) for name in names
        )
    if extension in TEXT_TYPES:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            return error.start >= len(head) - 3
        return True
    return False


def validate_attachment(upload: File) -> None:
    """Refuse files over 10 MB and files whose content is not what their name says."""
    if getattr(upload, "_committed", False):
        # Already stored and checked when it was uploaded; editing the title must not re-read it.
        return
    if upload.size is not None and upload.size > MAX_ATTACHMENT_SIZE:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_ATTACHMENT_SIZE)},
            code="too_large",
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed: %(types)s.")
            % {"types": ", ".join(ext.lstrip(".") for ext in ALLOWED_EXTENSIONS)},
            code="type_not_allowed",
        )
    if not _content_matches(upload, extension):
        raise ValidationError(
            _("The file's content does not match its name (%(extension)s). Check the file.")
            % {"extension": extension.lstrip(".")},
            code="content_mismatch",
        )
