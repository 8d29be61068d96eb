"""GET /api/search/agencies and /api/search/projects: hits with identifiers, facet counts."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router, Schema

from marketplace.search import SearchError, search_agencies, search_projects
from marketplace.search.links import hit_url

router = Router(tags=["search"])


class FacetOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class AgencyHitOut(Schema):
    uscc: str
    name: str
    services: str
    region_code: str
    region_name: str
    grade: str
    price_min: Decimal | None
    price_max: Decimal | None
    score: float
    url: str


class ProjectHitOut(Schema):
    code: str
    title: str
    summary: str
    region_code: str
    region_name: str
    status: str
    method: str
    ceiling: Decimal | None
    score: float
    url: str


class _ResultOut(Schema):
    query: str
    filters: dict[str, str]
    total: int
    page: int
    pages: int
    page_size: int
    relaxed: bool
    backend: str
    facets: dict[str, list[FacetOut]]


class AgencyResultOut(_ResultOut):
    hits: list[AgencyHitOut]


class ProjectResultOut(_ResultOut):
    hits: list[ProjectHitOut]


class ErrorOut(Schema):
    detail: str


def _envelope(result, hits):
    return {"query": result.query, "filters": result.filters, "total": result.total, "page": result.page,
            "pages": result.pages, "page_size": result.page_size, "relaxed": result.relaxed,
            "backend": result.backend, "hits": hits,
            "facets": {name: [vars(v) for v in values] for name, values in result.facets.items()}}


@router.get("/agencies", response={200: AgencyResultOut, 400: ErrorOut}, auth=None)
def agencies(request, q: str = "", service_type: str = "", region: str = "", grade: str = "", price: str = "",
             page: str = "1"):
    """Admitted agencies by text (`测绘`, `平湖 造价`, `cehui`, a USCC) with facet counts."""
    try:
        result = search_agencies(q, {"service_type": service_type, "region": region, "grade": grade,
                                     "price": price}, page)
    except SearchError as exc:
        return 400, {"detail": str(exc)}
    hits = [{"uscc": h.key, "name": h.title, "services": h.summary, "region_code": h.region_code,
             "region_name": h.region_name, "grade": h.grade, "price_min": h.price_min, "price_max": h.price_max,
             "score": h.score, "url": hit_url(h)} for h in result.hits]
    return 200, _envelope(result, hits)


@router.get("/projects", response={200: ProjectResultOut, 400: ErrorOut}, auth=None)
def projects(request, q: str = "", service_type: str = "", region: str = "", method: str = "", status: str = "",
             price: str = "", page: str = "1"):
    """Published postings (never drafts) by text (title, code, service, region) with facet counts."""
    try:
        result = search_projects(q, {"service_type": service_type, "region": region, "method": method,
                                     "status": status, "price": price}, page)
    except SearchError as exc:
        return 400, {"detail": str(exc)}
    hits = [{"code": h.key, "title": h.title, "summary": h.summary, "region_code": h.region_code,
             "region_name": h.region_name, "status": h.status, "method": h.method, "ceiling": h.price_max,
             "score": h.score, "url": hit_url(h)} for h in result.hits]
    return 200, _envelope(result, hits)
