"""Release and record packages (the OCDS envelopes), and the opaque cursor of the release feed."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError

from opendata import releases as source
from opendata import standard


def site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _envelope(uri: str, published: str | None) -> dict:
    return {
        "uri": uri, "version": standard.VERSION, "extensions": [site("/opendata/extension/extension.json")],
        # The newest release's date, not the time of the request: the same data gives the same bytes (ETag).
        "publishedDate": published or "2000-01-01T00:00:00+08:00",
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME, "uri": site("/")},
        "license": settings.OCDS_LICENSE_URL, "publicationPolicy": site("/opendata/"),
    }


def release_package(releases: list[dict], *, uri: str) -> dict:
    newest = max((r["date"] for r in releases), default=None)
    return {**_envelope(uri, newest), "releases": releases}


def record_package(records: list[dict], *, uri: str) -> dict:
    newest = max((r["date"] for record in records for r in record["releases"]), default=None)
    return {**_envelope(uri, newest), "records": records}


def encode_cursor(entry_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": entry_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(after, int) or after < 0:
            raise ValueError
        return after
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationError("游标无效 / invalid cursor") from None


def release_page(*, since: dt.datetime | None, cursor: str | None, size: int) -> tuple[list[dict], str | None]:
    """One page of the release feed, oldest first, and the cursor of the next page (None on the last page).

    The cursor names the last audit entry read, so a page never repeats or skips a release even while new
    entries are appended."""
    entries = source.public_entries()
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if cursor:
        entries = entries.filter(id__gt=decode_cursor(cursor))
    batch = list(entries[: size + 1])
    more = len(batch) > size
    batch = batch[:size]
    nxt = encode_cursor(batch[-1].pk) if more else None
    return source.build_releases(batch), nxt
