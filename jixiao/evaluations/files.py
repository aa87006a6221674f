"""Evidence files: what may be uploaded, checked by content rather than by name.

A file's kind is read from its first bytes (and, for the Office Open XML formats, from the
``[Content_Types].xml`` inside the zip); the name's extension must agree with that kind. An
executable renamed ``.pdf`` starts with ``MZ`` or ``\\x7fELF``, matches nothing and is refused.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

#: The largest evidence file accepted, in bytes.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: kind → (extensions it may carry, content type it is served with)
KINDS: dict[str, tuple[frozenset[str], str]] = {
    "pdf": (frozenset({".pdf"}), "application/pdf"),
    "png": (frozenset({".png"}), "image/png"),
    "jpeg": (frozenset({".jpg", ".jpeg"}), "image/jpeg"),
    "gif": (frozenset({".gif"}), "image/gif"),
    # Word 97–2003, Excel 97–2003, PowerPoint 97–2003 and WPS Office files are all OLE
    # compound documents; their first bytes do not say which, so any of the names is taken.
    "ole": (
        frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps"}),
        "application/octet-stream",
    ),
    "docx": (
        frozenset({".docx"}),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        frozenset({".xlsx"}),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        frozenset({".pptx"}),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}

#: Kinds a browser may show in place; everything else is downloaded.
INLINE_KINDS = frozenset({"pdf", "png", "jpeg", "gif"})

_OOXML_MAIN = {
    "docx": "wordprocessingml.document.main+xml",
    "xlsx": "spreadsheetml.sheet.main+xml",
    "pptx": "presentationml.presentation.main+xml",
}

ALLOWED_EXTENSIONS = sorted(ext for exts, _type in KINDS.values() for ext in exts)


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    size: int
    sha256: str


def detect_kind(stream: IO[bytes]) -> str | None:
    """The kind of file ``stream`` holds, from its content; None if it is none of KINDS."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        finally:
            stream.seek(0)
        for kind, marker in _OOXML_MAIN.items():
            if marker in types:
                return kind
    return None


def check_evidence(upload: UploadedFile[Any]) -> CheckedFile:
    """The checked kind, size and digest of an upload; ValidationError naming the file if it is
    too large, of a kind not accepted, or named as another kind than it is."""
    name = upload.name or ""
    size = upload.size or 0
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s MB，超过上限 %(limit)s MB")
            % {
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}",
                "limit": MAX_EVIDENCE_BYTES // 1024 // 1024,
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件") % {"name": name}, code="empty")
    extension = PurePath(name).suffix.lower()
    kind = detect_kind(upload.file) if upload.file is not None else None
    if kind is None or extension not in KINDS[kind][0]:
        raise ValidationError(
            _(
                "文件“%(name)s”的内容不是允许的类型（PDF、图片、Word、Excel、WPS），"
                "或与文件扩展名不符"
            )
            % {"name": name},
            code="bad_type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind=kind, size=size, sha256=digest.hexdigest())


def content_type(kind: str) -> str:
    return KINDS.get(kind, (frozenset(), "application/octet-stream"))[1]
