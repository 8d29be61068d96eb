"""Upload checks for every app: the type comes from the content (magic bytes), never from the name
the browser sends; size, emptiness and (optionally) the extension are checked too.

    checked = uploads.check_upload(file, uploads.PDF_OR_IMAGE, keep_data=True)
    checked.content_type, checked.ext, checked.size, checked.sha256, checked.data

Refusals are bilingual ValidationErrors whose `code` names the problem: `required`, `name`, `size`,
`empty`, `type`, `extension`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

# content type → (canonical extension, extensions accepted for it, leading-byte signatures, label)
SIGNATURES: dict[str, tuple[str, frozenset[str], tuple[bytes, ...], str]] = {
    "application/pdf": ("pdf", frozenset({"pdf"}), (b"%PDF-",), "PDF"),
    "image/jpeg": ("jpg", frozenset({"jpg", "jpeg"}), (b"\xff\xd8\xff",), "JPEG"),
    "image/png": ("png", frozenset({"png"}), (b"\x89PNG\r\n\x1a\n",), "PNG"),
    "application/zip": ("zip", frozenset({"zip"}), (b"PK\x03\x04", b"PK\x05\x06"), "ZIP"),
}
PDF_ONLY = frozenset({"application/pdf"})
PDF_OR_IMAGE = PDF_ONLY | {"image/jpeg", "image/png"}
PDF_IMAGE_OR_ZIP = PDF_OR_IMAGE | {"application/zip"}
HEAD_BYTES = 1024  # PDF readers accept whitespace before %PDF-; so do we
NAME_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the uploader's base name (metadata only; never used as the stored name)
    content_type: str
    ext: str  # canonical extension for the stored name
    size: int
    sha256: str
    data: bytes | None = None  # the content, when asked for (`keep_data`)

    def meta(self) -> dict:
        """What a file row stores about the upload."""
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


def sniff(head: bytes, allowed: Iterable[str] | None = None) -> tuple[str, str] | None:
    """(content_type, canonical extension) of a file's first bytes, limited to `allowed` types; else None."""
    for content_type, (ext, _exts, magics, _label) in SIGNATURES.items():
        if (allowed is None or content_type in allowed) and any(head.startswith(m) for m in magics):
            return content_type, ext
    return None


def extension_matches(content_type: str, name: str) -> bool:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext in SIGNATURES[content_type][1]


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _kinds(allowed: Iterable[str]) -> dict[str, str]:
    """How refusals name the accepted types: `PDF、JPEG 或 PNG` / `PDF, JPEG or PNG`."""
    labels = [SIGNATURES[t][3] for t in SIGNATURES if t in allowed]
    head, last = labels[:-1], labels[-1]
    zh = "、".join(head) + " 或 " + last if head else last
    en = ", ".join(head) + " or " + last if head else last
    not_it = f"不是{last}文件" if not head else "的类型不可接受"
    return {"zh": zh, "en": en, "not_it": not_it}


def _refuse(code: str, name: str, **values) -> ValidationError:
    quoted, prefix = (f"“{name}”", f"{name}: ") if name else ("", "")
    zh, en = {
        "required": ("请选择文件", "choose a file"),
        "name": ("文件名为空", "a file name is required"),
        "size": ("文件{q}过大（上限 {mb} MB）", "{p}file too large (limit {limit} bytes)"),
        "empty": ("文件{q}为空", "{p}the file is empty"),
        "type": ("文件{q}{not_it}（按内容识别），只接受 {zh} 文件", "{p}only {en} files are accepted (checked by content)"),
        "extension": ("文件{q}的扩展名与内容不符，只接受 {zh} 文件",
                      "{p}the extension does not match the content (only {en} files are accepted)"),
    }[code]
    fill = {"q": quoted, "p": prefix, **values}
    return ValidationError(f"{zh.format(**fill)} / {en.format(**fill)}", code=code)


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    if hasattr(upload, "seek"):
        upload.seek(0)
    while chunk := upload.read(64 * 1024):
        yield chunk


def _read(upload, name: str, limit: int, keep: bool) -> tuple[int, str, bytes | None]:
    """(size, SHA-256, content if `keep`) in one pass, refusing more than `limit` bytes."""
    digest, size, parts = hashlib.sha256(), 0, []
    for chunk in _chunks(upload):
        size += len(chunk)
        if size > limit:
            raise _refuse("size", name, mb=limit // (1024 * 1024), limit=limit)
        digest.update(chunk)
        if keep:
            parts.append(chunk)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return size, digest.hexdigest(), b"".join(parts) if keep else None


def check_upload(upload, allowed: Iterable[str], *, match_name: bool = False, keep_data: bool = False) -> CheckedFile:
    """Check one uploaded file against the `allowed` content types; return what was found, or raise.

    `match_name` also requires a file name whose extension fits the content (files kept under the
    uploader's name); `keep_data` returns the content read (bounded by the upload limit).
    """
    allowed = frozenset(allowed)
    if upload is None:
        raise _refuse("required", "")
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:NAME_LENGTH]
    if match_name and not name:
        raise _refuse("name", "")
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _refuse("size", name, mb=limit // (1024 * 1024), limit=limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if not head:
        raise _refuse("empty", name)
    kind = sniff(head, allowed) or sniff(head.lstrip(), allowed & PDF_ONLY)
    if kind is None:
        raise _refuse("type", name, **_kinds(allowed))
    if match_name and not extension_matches(kind[0], name):
        raise _refuse("extension", name, **_kinds(allowed))
    size, sha256, data = _read(upload, name, limit, keep_data)
    return CheckedFile(name=name, content_type=kind[0], ext=kind[1], size=size, sha256=sha256, data=data)


def check_pdf(upload) -> CheckedFile:
    """A PDF by content, size and a `.pdf` name, else a bilingual ValidationError."""
    return check_upload(upload, PDF_ONLY, match_name=True)


def stored_file(data: bytes, ext: str) -> tuple[ContentFile, str]:
    """A ContentFile with a random name (the uploader's name is kept only as metadata) and its SHA-256."""
    name = f"{secrets.token_hex(16)}.{ext}"
    return ContentFile(data, name=name), hashlib.sha256(data).hexdigest()
