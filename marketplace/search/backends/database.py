"""The embedded backend: the SearchDocument table with FTS5 (SQLite) or tsvector + GIN (PostgreSQL).

A text query runs one SQL statement that returns every match with its relevance and facet columns;
ranking (relevance + grade + recency) and facet counting then happen in one pass in Python, and the
page's display fields come from one more query. Filters are SQL over the document columns and the
SearchFacet table. Without a text query (browsing by facets) hits are ordered by grade and recency in
SQL and facets are GROUP BY counts.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import operator
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from itertools import chain, compress
from operator import itemgetter

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from marketplace.models import SearchDocument, SearchFacet
from marketplace.search import ranking
from marketplace.search.analysis import Term
from marketplace.search.documents import AGENCY, AGENCY_VISIBLE_STATUS, PROJECT_HIDDEN_STATUSES
from marketplace.search.types import FACETS, Hit, RawResult

DOC = SearchDocument._meta.db_table
FACET = SearchFacet._meta.db_table
FTS = "marketplace_search_fts"
FACET_TABLE_FILTERS = ("region", "service_type", "price")
COLUMN_FILTERS = ("grade", "method", "status")
BROWSE_FACETS_TTL = 60  # seconds; also invalidated on every index change made by this process


def _generation(kind: str) -> str:
    """An opaque token that changes whenever the index changes.

    Random, not a counter: if the cache is cleared (Redis restart, eviction) a counter would restart
    and repeat a value some worker has already seen, leaving its in-memory columns stale (a suspended
    agency could show). A missing token gets a fresh random one, which forces every worker to reload.
    """
    key = f"search:generation:{kind}"
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)
        token = cache.get(key) or uuid.uuid4().hex
    return token


def _incr(kind: str) -> None:
    cache.set(f"search:generation:{kind}", uuid.uuid4().hex, None)


def _bump(kind: str) -> None:
    """Invalidate cached browse facets now and again after commit (a reader may have cached the
    pre-commit state in between)."""
    _incr(kind)
    transaction.on_commit(lambda: _incr(kind))


# ---- query building (pure, tested) ------------------------------------------------------------------

def fts5_query(terms: Iterable[Term], *, relaxed: bool = False) -> str:
    """FTS5 MATCH expression: AND of terms, OR inside a term; ASCII terms are prefix queries."""
    groups = []
    for term in terms:
        alts = list(term.alternatives) + (list(term.relaxed) if relaxed else [])
        parts = [f'"{a}"*' if term.prefix else f'"{a}"' for a in alts]
        groups.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    return " AND ".join(groups)


def tsquery(terms: Iterable[Term], *, relaxed: bool = False) -> str:
    """PostgreSQL tsquery text for to_tsquery('simple', …), same shape as fts5_query."""
    groups = []
    for term in terms:
        alts = list(term.alternatives) + (list(term.relaxed) if relaxed else [])
        parts = [f"'{a}':*" if term.prefix else f"'{a}'" for a in alts]
        groups.append(parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")")
    return " & ".join(groups)


def _filter_sql(kind: str, filters: dict[str, str]) -> tuple[str, list]:
    where = ["d.kind = %s"]
    params: list = [kind]
    if kind == AGENCY:
        where.append("d.status = %s")
        params.append(AGENCY_VISIBLE_STATUS)
    else:
        placeholders = ", ".join(["%s"] * len(PROJECT_HIDDEN_STATUSES))
        where.append(f"d.status NOT IN ({placeholders})")
        params.extend(PROJECT_HIDDEN_STATUSES)
    for name in COLUMN_FILTERS:
        if filters.get(name):
            where.append(f"d.{name} = %s")
            params.append(filters[name])
    for name in FACET_TABLE_FILTERS:
        if filters.get(name):
            where.append(f"d.id IN (SELECT document_id FROM {FACET} WHERE kind = %s AND facet = %s AND value = %s)")
            params.extend([kind, name, filters[name]])
    return " AND ".join(where), params


class Snapshot:
    """The ranking and facet columns of every indexed document, held in process memory.

    A text query asks the full-text index only for matching ids (cheap: FTS5 postings, a GIN bitmap
    over narrow heap rows); grade, recency and facet values then come from here instead of reading
    thousands of wide rows per query. Refreshed incrementally (rows indexed since the last refresh)
    when the index generation changes or every REFRESH seconds, fully every FULL_RELOAD seconds;
    ids the snapshot has not seen yet are loaded on demand. Stale entries of re-indexed or deleted
    documents are harmless: only ids the full-text index returns are ever looked up.
    """

    REFRESH = 30
    FULL_RELOAD = 900
    MARGIN = dt.timedelta(seconds=5)

    def __init__(self):
        self.rows: dict[int, tuple] = {}
        self.generation = None
        self.synced_at = None
        self.checked = 0.0
        self.full_at = 0.0
        self.lock = threading.Lock()

    @staticmethod
    def _row(kind, region, grade, status, method, services, prices, recency, now_days):
        visible = status == AGENCY_VISIBLE_STATUS if kind == AGENCY else status not in PROJECT_HIDDEN_STATUSES
        facets = tuple(services.split()) + tuple(prices.split())
        days = ranking.epoch_days(recency)
        bonus = ranking.static_bonus(grade, None if days is None else now_days - days)
        # (visible kind, region, grade, status, method, facet values, " padded facet values ", bonus).
        # The padded string makes `" ZR01 " in row[6]` a C-speed membership test for filters.
        return (kind if visible else None, region, grade, status, method, facets, f" {' '.join(facets)} ", bonus)

    def _load(self, qs, into: dict | None = None) -> None:
        rows = self.rows if into is None else into
        fields = ("id", "kind", "region_code", "grade", "status", "method", "service_codes", "price_buckets",
                  "recency")
        # Grade and recency bonuses are computed at load time: recency moves by a fraction of a
        # percent between full reloads (FULL_RELOAD ≪ the 180-day half-life).
        now_days = ranking.epoch_days(timezone.now())
        for pk, *values in qs.values_list(*fields).iterator(chunk_size=5000):
            rows[pk] = self._row(*values, now_days)

    def ensure(self) -> None:
        generation = (_generation(AGENCY), _generation("project"))
        clock = time.monotonic()
        if (self.synced_at is not None and generation == self.generation and clock - self.checked < self.REFRESH
                and clock - self.full_at < self.FULL_RELOAD):
            return
        with self.lock:
            started = timezone.now()
            if self.synced_at is None or clock - self.full_at >= self.FULL_RELOAD:
                fresh: dict[int, tuple] = {}
                self._load(SearchDocument.objects.all(), into=fresh)
                self.rows = fresh  # swapped whole: concurrent readers never see a half-filled map
                # A hundred thousand long-lived tuples: keep them (and everything loaded before)
                # out of the cyclic GC's full collections, which otherwise add 50–100 ms pauses.
                gc.collect()
                gc.freeze()
                self.full_at = clock
            else:
                self._load(SearchDocument.objects.filter(indexed_at__gte=self.synced_at - self.MARGIN))
            self.synced_at = started
            self.generation = generation
            self.checked = clock

    def fill(self, ids) -> None:
        missing = [i for i in ids if i not in self.rows]
        for start in range(0, len(missing), 5000):
            self._load(SearchDocument.objects.filter(pk__in=missing[start:start + 5000]))


_snapshot = Snapshot()


def _descendants(code: str) -> set[str]:
    from marketplace.search.documents import _regions, region_chain

    return {c for c in _regions() if any(a == code for a, _n in region_chain(c))}


class DatabaseBackend:
    name = "database"
    INBODY_WEIGHT = 0.3  # relevance of a match that needs the descriptions, against 1 for name-like text

    # ---- searching ------------------------------------------------------------------------------
    def search(self, kind: str, terms: tuple[Term, ...], filters: dict[str, str], *, page: int,
               page_size: int, now) -> RawResult:
        if not terms:
            return self._browse(kind, filters, page=page, page_size=page_size, now=now)
        relaxed = False
        _snapshot.ensure()
        matched, primary = self._id_sets(terms, relaxed=False)
        doc_ids, rows = self._select(kind, matched, filters)
        if not doc_ids and any(t.relaxed for t in terms):
            relaxed = True
            matched, primary = self._id_sets(terms, relaxed=True)
            doc_ids, rows = self._select(kind, matched, filters)
        if not doc_ids:
            return RawResult(hits=[], total=0, facets={}, relaxed=relaxed)
        # Relevance in two tiers: every query term found in name-like text (name, services,
        # qualifications, region, code) scores 1, a match that needs the descriptions INBODY_WEIGHT.
        low = self.INBODY_WEIGHT
        relevance = [1.0 if i in primary else low for i in doc_ids]
        scores = list(map(operator.add, relevance, map(itemgetter(7), rows)))
        # Column-wise: Counter, map and itemgetter run in C.
        facet_values = Counter(chain.from_iterable(map(itemgetter(5), rows)))
        facets = {
            "region": dict(Counter(map(itemgetter(1), rows))),
            "service_type": {v: n for v, n in facet_values.items() if not v.startswith("p")},
            "price": {v: n for v, n in facet_values.items() if v.startswith("p")},
        }
        if kind == AGENCY:
            facets["grade"] = dict(Counter(map(itemgetter(2), rows)))
        else:
            facets["method"] = dict(Counter(map(itemgetter(4), rows)))
            facets["status"] = dict(Counter(map(itemgetter(3), rows)))
        # Stable: equal scores keep index order (ascending id).
        top = heapq.nlargest(page * page_size, range(len(rows)), key=scores.__getitem__)[(page - 1) * page_size:]
        return RawResult(hits=self._hits(kind, [(doc_ids[k], scores[k]) for k in top]), total=len(rows),
                         facets=facets, relaxed=relaxed)

    def _select(self, kind, ids, filters) -> tuple[list[int], list[tuple]]:
        """Matching ids of `kind` that pass visibility and the filters, with their snapshot rows
        (parallel lists; masks + itertools.compress keep the per-match work in C where possible)."""
        _snapshot.fill(ids)
        rows = list(map(_snapshot.rows.get, ids))
        keep = [r is not None and r[0] == kind for r in rows]
        for name, position in (("grade", 2), ("status", 3), ("method", 4)):
            if filters.get(name):
                value = filters[name]
                keep = [k and r[position] == value for k, r in zip(keep, rows, strict=True)]
        if filters.get("region"):
            regions = _descendants(filters["region"])
            keep = [k and r[1] in regions for k, r in zip(keep, rows, strict=True)]
        for name in ("service_type", "price"):
            if filters.get(name):
                needle = f" {filters[name]} "
                keep = [k and needle in r[6] for k, r in zip(keep, rows, strict=True)]
        return list(compress(ids, keep)), list(compress(rows, keep))

    def _id_sets(self, terms, *, relaxed: bool) -> tuple[list[int], set[int]]:
        """Ids matching the query anywhere, and the set matching it in name-like text alone (a
        subset, so the second lookup stays cheap even for common words)."""
        if connection.vendor == "postgresql":
            query = tsquery(terms, relaxed=relaxed)
            with transaction.atomic(), connection.cursor() as cursor:
                # The planner does not know that a sequential scan has to de-TOAST every vector;
                # the GIN bitmap scan is always the cheaper plan here.
                cursor.execute("SET LOCAL enable_seqscan = off")
                # Two int arrays in one row: far less to decode than ten thousand one-column rows.
                cursor.execute(f"SELECT (SELECT array_agg(id) FROM {DOC} WHERE search_vector @@ to_tsquery('simple', %s)), "
                               f"(SELECT array_agg(id) FROM {DOC} WHERE primary_vector @@ to_tsquery('simple', %s))",
                               [query, query])
                matched, primary = cursor.fetchone()
            return matched or [], set(primary or ())
        query = fts5_query(terms, relaxed=relaxed)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [query])
            matched = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", ["{tokens_primary} : (" + query + ")"])
            primary = {row[0] for row in cursor.fetchall()}
        return matched, primary

    def _browse(self, kind, filters, *, page, page_size, now) -> RawResult:
        where, params = _filter_sql(kind, filters)
        total, facets = self._browse_facets(kind, filters, where, params)
        with connection.cursor() as cursor:
            # Grade letters sort A < B < C < D, so ascending grade then newest first is the
            # browse order the combined score gives when there is no text relevance.
            cursor.execute(f"SELECT d.id FROM {DOC} d WHERE {where} ORDER BY d.grade, d.recency DESC, d.id "
                           f"LIMIT %s OFFSET %s", [*params, page_size, (page - 1) * page_size])
            ids = [row[0] for row in cursor.fetchall()]
        docs = SearchDocument.objects.defer("tokens_primary", "tokens_body").in_bulk(ids)
        now_days = ranking.epoch_days(now)
        pairs = []
        for doc_id in ids:
            doc = docs[doc_id]
            age = None if doc.recency is None else now_days - ranking.epoch_days(doc.recency)
            pairs.append((doc_id, ranking.combined_score(0.0, 0.0, doc.grade, age)))
        return RawResult(hits=self._hits(kind, pairs, docs), total=total, facets=facets)

    def _browse_facets(self, kind, filters, where, params) -> tuple[int, dict[str, dict[str, int]]]:
        """Counts over a whole filtered listing (a full pass over the index): cached briefly, keyed by
        an index generation that every index change bumps."""
        key = f"search:browse:{kind}:{_generation(kind)}:" + ",".join(f"{k}={v}" for k, v in sorted(filters.items()))
        cached = cache.get(key)
        if cached is not None:
            return cached
        facets: dict[str, Counter] = {name: Counter() for name in FACETS[kind]}
        total = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.region_code, d.grade, d.status, d.method, COUNT(*) FROM {DOC} d "
                           f"WHERE {where} GROUP BY d.region_code, d.grade, d.status, d.method", params)
            for region, grade, status, method, n in cursor.fetchall():
                total += n
                facets["region"][region] += n
                if kind == AGENCY:
                    facets["grade"][grade] += n
                else:
                    facets["status"][status] += n
                    facets["method"][method] += n
            cursor.execute(f"SELECT d.service_codes, d.price_buckets FROM {DOC} d WHERE {where}", params)
            services, prices = Counter(), Counter()
            while chunk := cursor.fetchmany(5000):
                services.update(" ".join(r[0] for r in chunk).split())
                prices.update(" ".join(r[1] for r in chunk).split())
            facets["service_type"], facets["price"] = services, prices
        value = (total, {k: dict(v) for k, v in facets.items()})
        cache.set(key, value, BROWSE_FACETS_TTL)
        return value

    def _hits(self, kind, pairs, docs=None) -> list[Hit]:
        if docs is None:
            docs = SearchDocument.objects.defer("tokens_primary", "tokens_body").in_bulk([i for i, _s in pairs])
        hits = []
        for doc_id, score in pairs:
            d = docs.get(doc_id)
            if d is None:  # deleted between the two queries
                continue
            hits.append(Hit(kind=kind, id=d.object_id, key=d.key, title=d.title, summary=d.summary,
                            region_code=d.region_code, region_name=d.region_name, grade=d.grade, status=d.status,
                            method=d.method, price_min=d.price_min, price_max=d.price_max, score=round(score, 4)))
        return hits

    # ---- indexing -------------------------------------------------------------------------------
    @transaction.atomic
    def index(self, docs: list[dict]) -> int:
        """Insert or replace documents (by kind + object id)."""
        if not docs:
            return 0
        by_kind: dict[str, list[int]] = {}
        for d in docs:
            by_kind.setdefault(d["kind"], []).append(d["object_id"])
        for kind, ids in by_kind.items():
            self.delete(kind, ids)
        objs = SearchDocument.objects.bulk_create([
            SearchDocument(kind=d["kind"], object_id=d["object_id"], key=d["key"], title=d["title"][:200],
                           summary=d["summary"], region_code=d["region_code"], region_name=d["region_name"],
                           grade=d["grade"], status=d["status"], method=d["method"],
                           service_codes=" ".join(d["service_codes"]), price_buckets=" ".join(d["price_buckets"]),
                           price_min=d["price_min"], price_max=d["price_max"], recency=d["recency"],
                           tokens_primary=d["tokens_primary"], tokens_body=d["tokens_body"])
            for d in docs
        ])
        facets = []
        for obj, d in zip(objs, docs, strict=True):
            values = ([("region", c) for c in d["region_path"]] + [("service_type", c) for c in d["service_codes"]]
                      + [("price", p) for p in d["price_buckets"]])
            facets.extend(SearchFacet(document_id=obj.pk, kind=d["kind"], facet=f, value=v) for f, v in values)
        SearchFacet.objects.bulk_create(facets, batch_size=5000)
        for kind in by_kind:
            _bump(kind)
        return len(objs)

    @transaction.atomic
    def delete(self, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        doc_ids = list(SearchDocument.objects.filter(kind=kind, object_id__in=ids).values_list("pk", flat=True))
        if doc_ids:
            SearchFacet.objects.filter(document_id__in=doc_ids)._raw_delete(connection.alias)
            SearchDocument.objects.filter(pk__in=doc_ids)._raw_delete(connection.alias)
        _bump(kind)

    def clear(self, kind: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FACET} WHERE kind = %s", [kind])
            cursor.execute(f"DELETE FROM {DOC} WHERE kind = %s", [kind])
        _bump(kind)

    def indexed_ids(self, kind: str) -> set[int]:
        return set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True))

    def rebuild(self, kind: str, chunks: Iterable[list[dict]], progress=None) -> int:
        """Replace every document of `kind` in one transaction: readers keep seeing the old index
        (MVCC on PostgreSQL, WAL snapshots on SQLite) until the new one commits."""
        total = 0
        with transaction.atomic():
            self.clear(kind)
            for chunk in chunks:
                total += self.index(chunk)
                if progress is not None:
                    progress(len(chunk))
        self.optimise()
        return total

    def optimise(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
            else:
                cursor.execute(f"ANALYZE {DOC}")
                cursor.execute(f"ANALYZE {FACET}")
