"""Upload checks for agency documents: the content decides the type, never the file name."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from marketplace import uploads

DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content_type, extension) for a PDF, JPEG or PNG header, else None."""
    return uploads.sniff(head, DOCUMENT_TYPES)


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload) -> tuple[bytes, str, str]:
    """Read an uploaded file (size-limited) and return (data, content_type, extension), or raise."""
    if upload is None:
        raise ValidationError("请选择文件 / choose a file", code="required")
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"文件过大（上限 {limit // (1024 * 1024)} MB）/ file too large (limit {limit} bytes)",
                              code="size")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"文件过大（上限 {limit // (1024 * 1024)} MB）/ file too large (limit {limit} bytes)",
                              code="size")
    if not data:
        raise ValidationError("文件为空 / the file is empty", code="empty")
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError("只接受 PDF、JPEG 或 PNG 文件（按内容识别）/ only PDF, JPEG or PNG files are accepted "
                              "(checked by content)", code="type")
    return data, kind[0], kind[1]


def stored_file(data: bytes, ext: str) -> tuple[ContentFile, str]:
    """A ContentFile with a random name (the uploader's name is kept only as metadata) and its SHA-256."""
    name = f"{secrets.token_hex(16)}.{ext}"
    return ContentFile(data, name=name), hashlib.sha256(data).hexdigest()
