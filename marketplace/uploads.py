"""File type by content (magic bytes), never by the name the browser sends. One table for every app."""

from __future__ import annotations

# content type → (canonical extension, extensions accepted for it, leading-byte signatures)
SIGNATURES: dict[str, tuple[str, frozenset[str], tuple[bytes, ...]]] = {
    "application/pdf": ("pdf", frozenset({"pdf"}), (b"%PDF-",)),
    "image/jpeg": ("jpg", frozenset({"jpg", "jpeg"}), (b"\xff\xd8\xff",)),
    "image/png": ("png", frozenset({"png"}), (b"\x89PNG\r\n\x1a\n",)),
    "application/zip": ("zip", frozenset({"zip"}), (b"PK\x03\x04", b"PK\x05\x06")),
}


def sniff(head: bytes, allowed: frozenset[str] | set[str] | None = None) -> tuple[str, str] | None:
    """(content_type, canonical extension) of a file's first bytes, limited to `allowed` types; else None."""
    for content_type, (ext, _exts, magics) in SIGNATURES.items():
        if (allowed is None or content_type in allowed) and any(head.startswith(m) for m in magics):
            return content_type, ext
    return None


def extension_matches(content_type: str, name: str) -> bool:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext in SIGNATURES[content_type][1]
