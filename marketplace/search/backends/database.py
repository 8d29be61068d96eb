"""The embedded backend: the SearchDocument table with FTS5 (SQLite) or tsvector + GIN in a narrow
side table (PostgreSQL, migration 0004).

A text query asks the full-text index for the matching ids (cached per query text and index
generation: TermCache), and for the relevance tier which of them match in name-like text (on
PostgreSQL only among the page's best candidates, see DatabaseBackend._ranked). Visibility, filters,
ranking (relevance + grade + recency) and facet counts then come from numpy columns held in process
memory (`Columns`, `Snapshot`), and the page's display fields from one more query. Without a text
query (browsing by facets) hits are ordered by grade and recency in SQL and facets are GROUP BY
counts, cached per index generation. bench/search.py measures it at 100,000 agencies
(bench/search_results.md).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from contextlib import nullcontext

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from marketplace.models import SearchDocument, SearchFacet
from marketplace.search import ranking, registry
from marketplace.search.analysis import Term
from marketplace.search.backends.bulk import insert_rows as _insert
from marketplace.search.backends.bulk import update_columns
from marketplace.search.backends.columns import Columns, TermCache
from marketplace.search.types import AGENCY, FACETS, PROJECT, Hit, RawResult

DOC = SearchDocument._meta.db_table
FACET = SearchFacet._meta.db_table
FTS = "marketplace_search_fts"  # SQLite: FTS5 table over the token columns
VECTORS = "marketplace_search_vector"  # PostgreSQL: tsvectors + GIN (migration 0004)
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
    rule = registry.get(kind)
    if rule.shown is not None:
        shown = sorted(rule.shown) or [""]  # nothing shown: a status no document has
        where.append(f"d.status IN ({', '.join(['%s'] * len(shown))})")
        params.extend(shown)
    if rule.hidden:
        where.append(f"d.status NOT IN ({', '.join(['%s'] * len(rule.hidden))})")
        params.extend(sorted(rule.hidden))
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

    A text query asks the full-text index only for matching ids (cheap: FTS5 postings, a GIN bitmap);
    grade, recency and facet values then come from here instead of reading thousands of wide rows
    per query. Refreshed incrementally (rows indexed since the last refresh) when the index
    generation changes or every REFRESH seconds, fully every FULL_RELOAD seconds or after a bulk
    change; ids the snapshot has not seen yet are loaded on demand. Stale slots of re-indexed or
    deleted documents are harmless: only ids the full-text index returns are ever looked up.
    """

    REFRESH = 30
    FULL_RELOAD = 900
    BULK = 10_000  # an incremental refresh bigger than this reloads everything (a rebuild)
    MARGIN = dt.timedelta(seconds=5)
    FIELDS = ("id", "kind", "region_code", "grade", "status", "method", "service_codes", "price_buckets", "recency")

    def __init__(self):
        self.columns = Columns()
        self.generation = None
        self.synced_at = None
        self.checked = 0.0
        self.full_at = 0.0
        self.lock = threading.RLock()
        self.terms = TermCache()

    def _apply(self, rows: list[tuple], columns: Columns, *, private: bool = False) -> Columns:
        """`columns` with `rows` (FIELDS order) written in. Published columns are never written
        (copy on write: a reader sees a slot's state, bonus, facets all old or all new); `private`
        columns, not yet visible to readers, are written in place unless they must grow."""
        if not rows:
            return columns
        now_days = ranking.epoch_days(timezone.now())
        slots, states, bonuses = [], [], []
        scalars = {name: [] for name in Columns.SCALAR}
        cells_row, cells_col = [], []
        rules = registry.registered()
        for n, (pk, kind, region, grade, status, method, services, prices, recency) in enumerate(rows):
            visible = kind in rules and rules[kind].is_visible(status)
            slots.append(pk)
            states.append(Columns.VISIBLE.get(kind, Columns.HIDDEN) if visible else Columns.HIDDEN)
            days = ranking.epoch_days(recency)
            # Recency moves by a fraction of a percent between full reloads (FULL_RELOAD is far
            # below the 180-day half-life), so the bonus is computed once, at load time.
            bonuses.append(ranking.static_bonus(grade, None if days is None else now_days - days))
            for name, value in (("region", region), ("grade", grade), ("status", status), ("method", method)):
                scalars[name].append(columns.code(name, value or ""))
            for facet, values in (("service_type", services), ("price", prices)):
                for value in values.split():
                    cells_row.append(n)
                    cells_col.append(columns.column(facet, value))
        low, high = min(slots), max(slots)
        width = len(columns.vocab["column_value"])
        if not columns.covers(low, high, width):
            columns = columns.resized(low, high, width)
        elif not private:
            columns = columns.copy()
        pos = np.asarray(slots, np.int64) - columns.base
        columns.state[pos] = states
        columns.bonus[pos] = bonuses
        for name, values in scalars.items():
            columns.scalar[name][pos] = values
        columns.matrix[pos] = False
        columns.matrix[pos[np.asarray(cells_row, np.int64)], cells_col] = True
        return columns

    def _load(self, qs, columns: Columns, *, private: bool = False) -> Columns:
        rows = []
        for row in qs.values_list(*self.FIELDS).iterator(chunk_size=5000):
            rows.append(row)
            if len(rows) == 5000:
                columns = self._apply(rows, columns, private=private)
                private = True  # the first chunk made a copy of our own
                rows = []
        return self._apply(rows, columns, private=private)

    def _full(self) -> None:
        # In id order, so the columns grow geometrically from the lowest id. Swapped whole:
        # concurrent readers keep the old columns until the new ones are complete.
        self.columns = self._load(SearchDocument.objects.order_by("id"), Columns(), private=True)

    def ensure(self) -> Columns:
        generation = (_generation(AGENCY), _generation(PROJECT))
        clock = time.monotonic()
        if (self.synced_at is not None and generation == self.generation and clock - self.checked < self.REFRESH
                and clock - self.full_at < self.FULL_RELOAD):
            return self.columns
        with self.lock:
            started = timezone.now()
            changed = None
            if self.synced_at is not None and clock - self.full_at < self.FULL_RELOAD:
                changed = list(SearchDocument.objects.filter(indexed_at__gte=self.synced_at - self.MARGIN)
                               .values_list(*self.FIELDS)[:self.BULK + 1])
            if changed is None or len(changed) > self.BULK:
                self._full()
                self.full_at = clock
            else:
                self.columns = self._apply(changed, self.columns)
            self.synced_at = started
            self.generation = generation
            self.checked = clock
            return self.columns

    def fill(self, ids: np.ndarray) -> Columns:
        """Load the ids the snapshot has not seen yet (indexed by another process since the last
        refresh); returns the columns to use."""
        columns = self.columns
        pos = columns.positions(ids)
        missing = ids[pos < 0]
        known = pos[pos >= 0]
        missing = np.concatenate([missing, ids[pos >= 0][columns.state[known] == Columns.UNKNOWN]])
        if missing.size:
            with self.lock:
                for start in range(0, missing.size, 5000):
                    chunk = missing[start:start + 5000].tolist()
                    self.columns = self._load(SearchDocument.objects.filter(pk__in=chunk), self.columns)
                columns = self.columns
        return columns


_snapshot = Snapshot()


def _int_array(text: str | None) -> np.ndarray:
    """'3,17,42' → array([3, 17, 42]) (text-mode fromstring is a C parser; None → empty)."""
    if not text:
        return np.zeros(0, np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")
_descendant_cache: dict = {}


def _descendants(code: str) -> set[str]:
    """The region and every region under it (cached until the region table cache is cleared)."""
    from marketplace.search.documents import _regions, region_chain

    regions = _regions()
    if _descendant_cache.get("regions") is not regions:
        _descendant_cache.clear()
        _descendant_cache["regions"] = regions
    found = _descendant_cache.get(code)
    if found is None:
        found = _descendant_cache[code] = {c for c in regions if any(a == code for a, _n in region_chain(c))}
    return found


class DatabaseBackend:
    name = "database"
    INBODY_WEIGHT = 0.3  # relevance of a match that needs the descriptions, against 1 for name-like text
    CANDIDATES = 40  # extra best-bonus matches checked for name-like text beyond the page (see _ranked)
    MAX_AMONG = 1000  # beyond this many ids (deep pages) ask the name-like index for all its matches

    # ---- searching ------------------------------------------------------------------------------
    def search(self, kind: str, terms: tuple[Term, ...], filters: dict[str, str], *, page: int,
               page_size: int, now) -> RawResult:
        if not terms:
            return self._browse(kind, filters, page=page, page_size=page_size, now=now)
        _snapshot.ensure()
        relaxed = False
        columns, ids, pos = self._match(kind, terms, filters, relaxed=False)
        if not ids.size and any(t.relaxed for t in terms):
            relaxed = True
            columns, ids, pos = self._match(kind, terms, filters, relaxed=True)
        if not ids.size:
            return RawResult(hits=[], total=0, facets={}, relaxed=relaxed)
        facets = columns.column_counts(pos)
        facets.setdefault("service_type", {})
        facets.setdefault("price", {})
        for name in ("region", *(n for n in COLUMN_FILTERS if n in FACETS[kind])):
            facets[name] = columns.counts(name, pos)
        pairs = self._ranked(terms, relaxed, ids, columns.bonus[pos], page, page_size)
        return RawResult(hits=self._hits(kind, pairs), total=int(ids.size), facets=facets, relaxed=relaxed)

    def _ranked(self, terms, relaxed, ids, bonus, page, page_size) -> list[tuple[int, float]]:
        """(id, score) of the page's hits, best first.

        Relevance comes in two tiers: every query term found in name-like text (name, services,
        qualifications, region, code) scores 1, a match that needs the descriptions INBODY_WEIGHT;
        the score adds the grade + recency bonus. When the tiers cannot overlap (the worst name-like
        match beats the best body match, true for the shipped weights) the page is the best name-like
        matches in (score, id) order, so only the best CANDIDATES + k matches are checked against the
        name-like index instead of asking it for all of them (ten thousand ids for a common word).
        Falls back to the full name-like id list when too few of the candidates match there.
        """
        k = page * page_size
        best = 1.0 + bonus  # every match's score if it were name-like: the same float as below
        checked = k + self.CANDIDATES
        if connection.vendor != "postgresql" or checked > self.MAX_AMONG:
            # FTS5 returns a whole column's matches in about a millisecond, but re-runs a prefix
            # query ("cehui"*) for every rowid of an IN list: always ask it for all of them.
            primary = np.isin(ids, self._primary_ids(terms, relaxed, None))
        elif ids.size <= checked:
            primary = np.isin(ids, self._primary_ids(terms, relaxed, ids))
        elif self.INBODY_WEIGHT + bonus.max() < best.min():
            order = self._top(best, ids, checked)
            named = order[np.isin(ids[order], self._primary_ids(terms, relaxed, ids[order]))]
            if named.size >= k:
                return [(int(ids[i]), float(best[i])) for i in named[(page - 1) * page_size:k]]
            primary = np.isin(ids, self._primary_ids(terms, relaxed, None))
        else:
            primary = np.isin(ids, self._primary_ids(terms, relaxed, None))
        scores = np.where(primary, 1.0, self.INBODY_WEIGHT) + bonus
        top = self._top(scores, ids, k)[(page - 1) * page_size:]
        return [(int(ids[i]), float(scores[i])) for i in top]

    @staticmethod
    def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
        """Indexes of the k best scores, best first; equal scores in ascending id order."""
        if k < scores.size:
            threshold = np.partition(scores, scores.size - k)[scores.size - k]
            candidates = np.flatnonzero(scores >= threshold)
        else:
            candidates = np.arange(scores.size)
        order = np.lexsort((ids[candidates], -scores[candidates]))
        return candidates[order[:k]]

    def _match(self, kind, terms, filters, *, relaxed: bool):
        """Matching ids of `kind` that pass visibility and the filters, and their snapshot slots."""
        matched = self._matched_ids(terms, relaxed=relaxed)
        columns = _snapshot.fill(matched)
        pos = columns.positions(matched)
        keep = pos >= 0  # an id outside the columns was deleted since the full-text lookup
        keep &= columns.state[np.where(keep, pos, 0)] == Columns.VISIBLE[kind]
        for name in ("grade", "status", "method"):
            if filters.get(name):
                code = columns.code(name, filters[name], create=False)
                keep &= columns.scalar[name][pos] == (-1 if code is None else code)
        if filters.get("region"):
            regions = columns.scalar["region"][pos]
            # Sized after the gather: a code is added to the vocabulary before it is written into a
            # column, so every code just read is below this length even during a refresh.
            allowed = np.zeros(len(columns.labels("region")) + 1, np.bool_)
            codes = [columns.code("region", c, create=False) for c in _descendants(filters["region"])]
            allowed[[c for c in codes if c is not None]] = True
            keep &= allowed[regions]
        for name in ("service_type", "price"):
            if filters.get(name):
                column = columns.column(name, filters[name], create=False)
                keep &= False if column is None else columns.matrix[pos, column]
        return columns, matched[keep], pos[keep]

    @staticmethod
    def _cached(sql: str, params: list, *, atomic: bool = False) -> np.ndarray:
        """Ids from one aggregate query (comma-separated text that numpy parses in C: a quarter of
        the cost of fetching ten thousand one-column rows), through the snapshot's TermCache.
        `atomic`: PostgreSQL, in a savepoint with sequential scans off (the planner does not know
        that a sequential scan has to de-TOAST every vector; the GIN bitmap scan is always cheaper)."""
        key = (connection.alias, sql, *params)
        generation = _snapshot.generation
        found = _snapshot.terms.get(key, generation)
        if found is not None:
            return found
        with transaction.atomic() if atomic else nullcontext(), connection.cursor() as cursor:
            if atomic:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            ids = _int_array(cursor.fetchone()[0])
        return _snapshot.terms.put(key, generation, ids)

    def _matched_ids(self, terms, *, relaxed: bool) -> np.ndarray:
        """Ids matching the query anywhere."""
        if connection.vendor == "postgresql":
            return self._cached(f"SELECT string_agg(document_id::text, ',') FROM {VECTORS} "
                                f"WHERE search_vector @@ to_tsquery('simple', %s)", [tsquery(terms, relaxed=relaxed)],
                                atomic=True)
        return self._cached(f"SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH %s",
                            [fts5_query(terms, relaxed=relaxed)])

    def _primary_ids(self, terms, relaxed: bool, among: np.ndarray | None) -> np.ndarray:
        """Ids matching the query in name-like text alone: all of them, or (PostgreSQL) only those
        `among` the given ids (a primary-key lookup each instead of the whole posting list)."""
        if connection.vendor != "postgresql":
            return self._cached(f"SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH %s",
                                ["{tokens_primary} : (" + fts5_query(terms, relaxed=relaxed) + ")"])
        sql = (f"SELECT string_agg(document_id::text, ',') FROM {VECTORS} "
               f"WHERE primary_vector @@ to_tsquery('simple', %s)")
        query = tsquery(terms, relaxed=relaxed)
        if among is None:
            return self._cached(sql, [query], atomic=True)
        with connection.cursor() as cursor:
            cursor.execute(sql + " AND document_id = ANY(%s)", [query, among.tolist()])
            return _int_array(cursor.fetchone()[0])

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
            scalars = [name for name in COLUMN_FILTERS if name in FACETS[kind]]
            for region, grade, status, method, n in cursor.fetchall():
                total += n
                facets["region"][region] += n
                values = {"grade": grade, "status": status, "method": method}
                for name in scalars:
                    facets[name][values[name]] += n
            cursor.execute(f"SELECT d.service_codes, d.price_buckets FROM {DOC} d WHERE {where}", params)
            services, prices = Counter(), Counter()
            while chunk := cursor.fetchmany(5000):
                services.update(" ".join(r[0] for r in chunk).split())
                prices.update(" ".join(r[1] for r in chunk).split())
            facets["service_type"], facets["price"] = services, prices
        value = (total, {k: dict(v) for k, v in facets.items()})
        cache.set(key, value, BROWSE_FACETS_TTL)
        return value

    HIT_FIELDS = ("id", "object_id", "key", "title", "summary", "region_code", "region_name", "grade", "status",
                  "method", "price_min", "price_max")

    def _hits(self, kind, pairs, docs=None) -> list[Hit]:
        """The page's hits in `pairs` order. Display fields as tuples (values_list): building model
        instances cost more than the query itself."""
        if docs is None:
            docs = {row[0]: row for row in
                    SearchDocument.objects.filter(pk__in=[i for i, _s in pairs]).values_list(*self.HIT_FIELDS)}
        else:
            docs = {pk: tuple(getattr(d, f) for f in self.HIT_FIELDS) for pk, d in docs.items()}
        hits = []
        for doc_id, score in pairs:
            d = docs.get(doc_id)
            if d is None:  # deleted between the two queries
                continue
            hits.append(Hit(kind, *d[1:], score=round(score, 4)))
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
        objs = [SearchDocument(kind=d["kind"], object_id=d["object_id"], key=d["key"], title=d["title"][:200],
                               summary=d["summary"], region_code=d["region_code"], region_name=d["region_name"],
                               grade=d["grade"], status=d["status"], method=d["method"],
                               service_codes=" ".join(d["service_codes"]), price_buckets=" ".join(d["price_buckets"]),
                               price_min=d["price_min"], price_max=d["price_max"], recency=d["recency"],
                               tokens_primary=d["tokens_primary"], tokens_body=d["tokens_body"])
                for d in docs]
        _insert(SearchDocument, objs)
        facets = []
        for obj, d in zip(objs, docs, strict=True):
            values = ([("region", c) for c in d["region_path"]] + [("service_type", c) for c in d["service_codes"]]
                      + [("price", p) for p in d["price_buckets"]])
            facets.extend(SearchFacet(document_id=obj.pk, kind=d["kind"], facet=f, value=v) for f, v in values)
        _insert(SearchFacet, facets)
        for kind in by_kind:
            _bump(kind)
        return len(objs)

    @transaction.atomic
    def update_columns(self, kind: str, model, columns: dict[str, str], ids: Iterable[int]) -> None:
        """Set document columns from the indexed rows' fields, set-based (bulk.update_columns)."""
        update_columns(kind, model, columns, ids)
        _bump(kind)

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
