"""Ranking: text relevance combined with credit grade (A > B > C > D) and recency. Pure functions.

    score = relevance / best_relevance_in_result + GRADE_BONUS[grade] + RECENCY_WEIGHT * 0.5 ** (age_days / 180)

Relevance is normalised within the result so the bonuses mean the same for every query: a grade step
(0.15) reorders near-equal matches but never lifts a weak match above a much better one. Without a
query (browsing by facets) only grade and recency order the list. The Elasticsearch backend builds the
same formula as a function_score (see backends.elasticsearch.ranked_query).
"""

from __future__ import annotations

import datetime as dt

GRADE_BONUS = {"A": 0.3, "B": 0.15, "C": 0.0, "D": -0.1, "": 0.0}
RECENCY_WEIGHT = 0.2
RECENCY_HALF_LIFE_DAYS = 180


def epoch_days(when: dt.datetime | None) -> float | None:
    return None if when is None else when.timestamp() / 86400.0


def recency_bonus(age_days: float | None) -> float:
    if age_days is None:
        return 0.0
    return RECENCY_WEIGHT * 0.5 ** (max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)


def combined_score(relevance: float, best: float, grade: str, age_days: float | None) -> float:
    """Final score of one hit; `best` is the highest relevance in the result (0 when browsing)."""
    text = relevance / best if best > 0 else 0.0
    return text + GRADE_BONUS.get(grade or "", 0.0) + recency_bonus(age_days)


def static_bonus(grade: str, age_days: float | None) -> float:
    """The query-independent part of the score: grade bonus + recency bonus."""
    return GRADE_BONUS.get(grade or "", 0.0) + recency_bonus(age_days)


def score_many(relevances, grades, days, now_days: float) -> list[float]:
    """combined_score for whole columns at once (the hot loop of the embedded backend); `days` are
    epoch days of each document's recency (None when unknown)."""
    best = max(relevances, default=0.0)
    inv = 1.0 / best if best > 0 else 0.0
    bonus = GRADE_BONUS
    weight, half_life = RECENCY_WEIGHT, RECENCY_HALF_LIFE_DAYS
    return [
        rel * inv + bonus.get(grade or "", 0.0)
        + (0.0 if day is None else weight * 0.5 ** (max(now_days - day, 0.0) / half_life))
        for rel, grade, day in zip(relevances, grades, days, strict=True)
    ]
