"""Search over agencies and postings: one interface for pages, the API and commands.

    from marketplace.search import search_agencies, search_projects
    result = search_agencies("平湖 造价", {"grade": "A"}, page=1)
    result.hits      # [Hit(key=<USCC>, title=…, score=…)]
    result.facets    # {"region": [FacetValue(value="330482", label="平湖市", count=12)], …}

The backend is chosen by settings.SEARCH_BACKEND: "database" (embedded, default: FTS5 on SQLite,
tsvector + GIN on PostgreSQL) or "elasticsearch". Both segment Chinese with jieba at index and query
time (see analysis.py), rank by text relevance + credit grade + recency (ranking.py), and show only
admitted agencies and published postings (documents.py). The apps register what they index
(`register`, registry.py) and which audit actions re-index it; the index follows those (sync.py).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from marketplace.search import registry
from marketplace.search.registry import OBJECT, register
from marketplace.search.types import AGENCY, FACETS, PROJECT, FacetValue, Hit, SearchResult

__all__ = ["AGENCY", "OBJECT", "PROJECT", "FacetValue", "Hit", "SearchError", "SearchResult", "get_backend",
           "index_objects", "register", "search", "search_agencies", "search_projects"]

MAX_QUERY_LENGTH = 100
MAX_PAGE = 500
DEFAULT_PAGE_SIZE = 20


class SearchError(ValueError):
    """Bad search input; the message is bilingual and safe to show."""


_backends: dict[str, object] = {}


def get_backend(name: str | None = None):
    name = name or getattr(settings, "SEARCH_BACKEND", "database")
    if name not in _backends:
        if name == "database":
            from marketplace.search.backends.database import DatabaseBackend

            _backends[name] = DatabaseBackend()
        elif name == "elasticsearch":
            from marketplace.search.backends.elasticsearch import ElasticsearchBackend

            _backends[name] = ElasticsearchBackend()
        else:
            raise SearchError(f"未知的搜索后端 / unknown search backend: {name}")
    return _backends[name]


@lru_cache(maxsize=32)
def _choice_labels(kind: str, language: str) -> dict[str, dict[str, str]]:
    """Labels of the fixed choices, per kind and language (translating them on every search showed up
    in profiles): the price buckets, and whatever the registering app names (grades, methods…)."""
    from marketplace.search.documents import PRICE_LABELS

    labels = {"price": {k: str(v) for k, v in PRICE_LABELS.items()}}
    for facet, values in registry.get(kind).labels().items():
        labels[facet] = {str(value): str(label) for value, label in values.items()}
    return labels


def _labels(kind: str) -> dict[str, dict[str, str]]:
    from marketplace.search.documents import _regions, service_type_labels

    labels = {name: {} for name in FACETS[kind]}
    labels.update({
        "service_type": service_type_labels(),
        "region": {code: name for code, (name, _parent) in _regions().items()},
        **_choice_labels(kind, get_language() or settings.LANGUAGE_CODE),
    })
    return labels


def clean_filters(kind: str, filters: dict | None, labels: dict | None = None) -> dict[str, str]:
    """Keep the facet filters that apply to `kind`; refuse values that do not exist."""
    labels = labels or _labels(kind)
    clean: dict[str, str] = {}
    for name in FACETS[kind]:
        value = (filters or {}).get(name)
        if value in (None, ""):
            continue
        value = str(value).strip()
        if value not in labels[name] and name == "service_type":  # a type added since the labels were read
            from marketplace.search.documents import service_type_labels

            labels[name] = service_type_labels(refresh=True)
        if value not in labels[name]:
            raise SearchError(f"筛选条件无效：{name}={value} / invalid filter {name}={value}")
        clean[name] = value
    return clean


def search(kind: str, q: str = "", filters: dict | None = None, page: int = 1, *,
           page_size: int = DEFAULT_PAGE_SIZE, now=None, backend: str | None = None) -> SearchResult:
    """Search one kind ("agency" or "project"): hits for `page` and facet counts over all matches."""
    if kind not in FACETS or kind not in registry.registered():
        raise SearchError(f"未知的搜索对象 / unknown search kind: {kind}")
    q = (q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError(f"搜索词过长（最多{MAX_QUERY_LENGTH}字） / query longer than {MAX_QUERY_LENGTH} characters")
    try:
        page = int(page)
    except (TypeError, ValueError):
        raise SearchError("页码无效 / invalid page number")
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"页码须在1到{MAX_PAGE}之间 / page must be between 1 and {MAX_PAGE}")
    from marketplace.search.analysis import parse_query

    labels = _labels(kind)
    clean = clean_filters(kind, filters, labels)
    engine = get_backend(backend)
    raw = engine.search(kind, parse_query(q), clean, page=page, page_size=page_size, now=now or timezone.now())
    facets = {}
    for name in FACETS[kind]:
        counts = raw.facets.get(name, {})
        values = [FacetValue(value=v, label=labels[name].get(v, v), count=n, selected=clean.get(name) == v)
                  for v, n in counts.items() if v and n]
        values.sort(key=lambda f: (-f.count, f.value))
        facets[name] = values
    return SearchResult(kind=kind, query=q, filters=clean, page=page, page_size=page_size, total=raw.total,
                        hits=raw.hits, facets=facets, relaxed=raw.relaxed, backend=engine.name)


def search_agencies(q: str = "", filters: dict | None = None, page: int = 1, **kwargs) -> SearchResult:
    """Admitted agencies matching `q` (name, services, qualifications, description, region)."""
    return search(AGENCY, q, filters, page, **kwargs)


def search_projects(q: str = "", filters: dict | None = None, page: int = 1, **kwargs) -> SearchResult:
    """Published postings (never drafts) matching `q` (title, code, service type, region, scope)."""
    return search(PROJECT, q, filters, page, **kwargs)


INDEX_CHUNK = 1000


def index_objects(kind: str, ids, *, backend: str | None = None) -> None:
    """Bring the index up to date for these object ids: (re)index visible ones, drop the rest."""
    from marketplace.search.documents import iter_documents

    wanted = sorted({int(i) for i in ids})
    engine = get_backend(backend)
    for start in range(0, len(wanted), INDEX_CHUNK):
        chunk = wanted[start:start + INDEX_CHUNK]
        docs = list(iter_documents(kind, ids=chunk, chunk_size=INDEX_CHUNK))
        if docs:
            engine.index(docs)
        gone = set(chunk) - {d["object_id"] for d in docs}
        if gone:
            engine.delete(kind, gone)
