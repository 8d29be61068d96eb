"""Deliverable uploads: accepted by content (magic bytes), not by the name the browser sends."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError

from marketplace import uploads

DELIVERABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "application/zip"})
MAX_FILES = 20


def sniff(head: bytes, name: str) -> str:
    """The content type of an upload, or ValidationError when its bytes or name are not allowed."""
    kind = uploads.sniff(head, DELIVERABLE_TYPES)
    if kind is None:
        raise ValidationError(f"文件“{name}”不是 PDF、JPEG、PNG 或 ZIP / {name}: only PDF, JPEG, PNG or ZIP files are accepted")
    if not uploads.extension_matches(kind[0], name):
        raise ValidationError(f"文件“{name}”的扩展名与内容不符 / {name}: extension does not match its content")
    return kind[0]


def check_upload(upload) -> dict:
    """Validate one UploadedFile; return its name, content type, size and SHA-256."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if not name:
        raise ValidationError("文件名为空 / a file name is required")
    size = upload.size
    if not size:
        raise ValidationError(f"文件“{name}”为空 / {name} is empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(f"文件“{name}”超过大小限制 / {name} is larger than the upload limit")
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff(head, name)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"name": name, "content_type": content_type, "size": size, "sha256": digest.hexdigest()}
