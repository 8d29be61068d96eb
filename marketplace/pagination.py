"""Lists whose cost does not grow with the register: keyset (cursor) pages and cheap counts.

Keyset pagination: a list ordered by a fixed key (ending in the primary key, so it is total) reads
the next page as "the rows after the last one shown", which an index matching the key answers by
seeking, instead of counting and skipping every earlier row (OFFSET). The cursor is an opaque token
holding the last row's key values.

    page = keyset_page(qs, DIRECTORY_KEY, cursor=request.GET.get("cursor"), size=20)
    page.rows, page.next_cursor

A key is a list of (SQL expression over the model's table, attribute or callable reading that value
from a row). Every expression sorts ascending (a descending column is written negated), so that one
row comparison `(a, b, c) > (x, y, z)` selects the rows after the cursor on PostgreSQL and SQLite, and
the model declares an index on exactly those expressions (see `agencies.models.Agency.Meta.indexes`).

Counts: `cached_count` keeps a filter's count for a short time in the shared cache (a directory page
then does not count 100,000 rows on every request; any committed audited change recounts); `CachedCountPaginator` is Django's Paginator
using it, for pages that keep `?page=`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

COUNT_TTL = 30  # seconds a list's count may lag behind the data


class BadCursor(ValueError):
    """A cursor that this list did not issue."""

    message = "分页游标无效 / invalid page cursor"


def _same(value):
    return value


@dataclass(frozen=True)
class KeyPart:
    sql: str  # expression over the model's own table
    read: Callable[[Any], Any]  # the cursor value (str or int) of that expression for a fetched row
    param: Callable[[Any], Any] = _same  # cursor value → query parameter (e.g. a datetime for the database)


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None


def encode_cursor(values: Sequence) -> str:
    raw = json.dumps([str(v) if isinstance(v, Decimal) else v for v in values], ensure_ascii=False,
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token: str, length: int) -> list:
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError):
        raise BadCursor(BadCursor.message) from None
    if not isinstance(values, list) or len(values) != length or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise BadCursor(BadCursor.message)
    return values


def keyset_page(qs: QuerySet, key: Sequence[KeyPart], *, cursor: str | None, size: int,
                descending: bool = False) -> KeysetPage:
    """The `size` rows of `qs` after `cursor` in key order, and the cursor of the page after them.

    `qs` must already be ordered by the key's expressions (the index's order): all ascending, or all
    descending with `descending=True`."""
    if cursor:
        values = decode_cursor(cursor, len(key))
        try:
            params = [part.param(v) for part, v in zip(key, values, strict=True)]
        except (TypeError, ValueError):
            raise BadCursor(BadCursor.message) from None
        row = "(" + ", ".join(part.sql for part in key) + ")"
        marks = "(" + ", ".join(["%s"] * len(key)) + ")"
        qs = qs.filter(RawSQL(f"{row} {'<' if descending else '>'} {marks}", params, output_field=BooleanField()))
    rows = list(qs[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([part.read(rows[-1]) for part in key]) if more and rows else None
    return KeysetPage(rows=rows, next_cursor=next_cursor)


def count_key(name: str, **filters) -> str:
    """The cache key of a list's count: its name, its filters and the page-cache generation, so any
    committed audited change (which moves the generation on, marketplace.pagecache) recounts."""
    from marketplace import pagecache

    digest = hashlib.sha256(json.dumps(filters, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"count:{pagecache.generation()}:{name}:{digest[:24]}"


def cached_count(qs: QuerySet, key: str, *, ttl: int | None = None) -> int:
    """`qs.count()`, kept `ttl` seconds (settings.LIST_COUNT_SECONDS, default 30; 0 = always count) in
    the shared cache under `key` (`count_key`: the list, its filters, the generation)."""
    ttl = int(getattr(settings, "LIST_COUNT_SECONDS", COUNT_TTL)) if ttl is None else ttl
    if ttl <= 0:
        return qs.count()
    found = cache.get(key)
    if found is None:
        found = qs.count()
        cache.set(key, found, ttl)
    return found


class CachedCountPaginator(Paginator):
    """Django's Paginator whose count comes from `cached_count` (the page's rows are always fresh)."""

    def __init__(self, object_list, per_page, *, count_key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_key = count_key

    @cached_property
    def count(self) -> int:
        return cached_count(self.object_list, self._count_key)
