"""Chinese full-text search for notices on Wagtail's database backend.

SQLite FTS5 (unicode61) and PostgreSQL's tsvector split text on whitespace and punctuation, so a run
of Chinese characters becomes one giant token and "测绘" never matches "地形测绘". We index a
pre-segmented copy of each notice (`NoticePage.search_text`, jieba `cut_for_search` joined by
spaces) and segment the query the same way before handing it to Wagtail search.
"""

from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

# Tokens made only of punctuation/symbols/whitespace carry no meaning for search.
_NOISE = re.compile(r"^[\W_]+$", re.UNICODE)


def tokens(text: str) -> list[str]:
    """jieba search-mode tokens of `text`, lower-cased, without punctuation, in order, unique."""
    seen: dict[str, None] = {}
    for token in jieba.cut_for_search(text or ""):
        token = token.strip().lower()
        if token and not _NOISE.match(token):
            seen.setdefault(token, None)
    return list(seen)


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
