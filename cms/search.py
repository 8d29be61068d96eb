"""Chinese full-text search for notices on Wagtail's database backend.

SQLite FTS5 (unicode61) and PostgreSQL's tsvector split text on whitespace and punctuation, so a run
of Chinese characters becomes one giant token and "测绘" never matches "地形测绘". We index a
pre-segmented copy of each notice (`NoticePage.search_text`, the kernel's jieba segmentation joined
by spaces) and segment the query the same way before handing it to Wagtail search.
"""

from __future__ import annotations

from marketplace.search import analysis


def tokens(text: str) -> list[str]:
    """jieba search-mode tokens of `text`, lower-cased, without punctuation, in order, unique."""
    return list(dict.fromkeys(analysis.segment(text or "")))


def segment(text: str) -> str:
    """Space-joined search tokens: what the index stores and what the query is rewritten to."""
    return " ".join(tokens(text))


def search_notices(query: str, *, kind: str = "", queryset=None):
    """Live notices matching every word of `query` (AND), best first; empty query → no results."""
    from cms.models import NoticePage

    words = segment(query)
    qs = queryset if queryset is not None else NoticePage.objects.live().select_related("region", "service_type")
    if kind:
        qs = qs.filter(kind=kind)
    if not words:
        return qs.none()
    return qs.search(words, operator="and", order_by_relevance=True)
