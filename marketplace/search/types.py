"""Plain result types shared by the interface and the backends."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

AGENCY = "agency"
PROJECT = "project"
# The document kinds and the facets each one shows; the apps that own the rows register them (registry.py).
FACETS = {
    AGENCY: ("service_type", "region", "grade", "price"),
    PROJECT: ("service_type", "region", "method", "status", "price"),
}


@dataclass
class Hit:
    kind: str
    id: int
    key: str  # USCC for agencies, project code for postings
    title: str
    summary: str
    region_code: str
    region_name: str
    grade: str
    status: str
    method: str
    price_min: Decimal | None
    price_max: Decimal | None
    score: float


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class RawResult:
    """What a backend returns: the page of hits, the total and unlabelled facet counts."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    relaxed: bool = False


@dataclass
class SearchResult:
    kind: str
    query: str
    filters: dict[str, str]
    page: int
    page_size: int
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    relaxed: bool = False  # True when only the typo-tolerant fallback matched
    backend: str = "database"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1
