"""Public agency API: the directory (admitted agencies only) and one agency by USCC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from agencies import selectors
from agencies.permissions import PUBLIC_STATUSES
from marketplace import pagination

router = Router(tags=["agencies"])
PAGE_SIZE = 20


class ServiceOut(Schema):
    service_type: str
    service_name: str
    fee_basis: str
    price_min: Decimal | None
    price_max: Decimal | None
    time_limit_wd: int
    description: str


class QualificationOut(Schema):
    qualification_type: str
    speciality: str
    level: int
    number: str
    valid_to: dt.date | None


class AgencyOut(Schema):
    uscc: str
    name: str
    entity_type: str
    region: str
    region_name: str
    status: str
    credit_grade: str
    credit_score: int
    rating_mean: Decimal | None
    rating_count: int
    services: list[ServiceOut]


class AgencyDetailOut(AgencyOut):
    address: str
    description: str
    change_pending: bool
    regions_served: list[str]
    qualifications: list[QualificationOut]
    cases: list[dict]


class AgencyPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AgencyOut]
    next_cursor: str | None = None


def _services(agency) -> list[dict]:
    return [{"service_type": s.service_type_id, "service_name": s.service_type.name, "fee_basis": s.fee_basis,
             "price_min": s.price_min, "price_max": s.price_max, "time_limit_wd": s.time_limit_wd,
             "description": s.description} for s in agency.services.all()]


def _agency(agency) -> dict:
    return {"uscc": agency.uscc, "name": agency.name, "entity_type": agency.entity_type, "region": agency.region_id,
            "region_name": agency.region.name, "status": agency.status, "credit_grade": agency.credit_grade,
            "credit_score": agency.credit_score, "rating_mean": agency.rating_mean,
            "rating_count": agency.rating_count, "services": _services(agency)}


@router.get("", response=AgencyPage, url_name="agencies_list")
def list_agencies(request, service_type: str | None = None, region: str | None = None, page: int = 1,
                  cursor: str | None = None):
    """Admitted agencies, filtered by service type code and region code (descendants included).

    Pages: follow `next_cursor` (`?cursor=…`: the rows after the last one shown, read from the
    directory's index whatever the register's size; `page` is then 0). `?page=N` still works (an
    offset: later pages cost more). `count` may lag the data by up to 30 seconds (cached per filter).
    """
    qs = selectors.directory(service_type=service_type, region=region)
    count = pagination.cached_count(qs, pagination.count_key("api-agencies", service_type=service_type,
                                                             region=region))
    pages = max(1, -(-count // PAGE_SIZE))
    if cursor:
        try:
            found = pagination.keyset_page(qs, selectors.DIRECTORY_KEY, cursor=cursor, size=PAGE_SIZE)
        except pagination.BadCursor as exc:
            raise HttpError(400, str(exc)) from None
        return {"count": count, "page": 0, "pages": pages, "results": [_agency(a) for a in found.rows],
                "next_cursor": found.next_cursor}
    number = min(max(1, page), pages)
    rows = list(qs[(number - 1) * PAGE_SIZE: number * PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = pagination.encode_cursor([k.read(rows[-1]) for k in selectors.DIRECTORY_KEY]) if more else None
    return {"count": count, "page": number, "pages": pages, "results": [_agency(a) for a in rows],
            "next_cursor": next_cursor}


@router.get("/{uscc}", response=AgencyDetailOut, url_name="agencies_detail")
def get_agency(request, uscc: str):
    agency = selectors.storefront(uscc.upper())
    if agency is None or agency.status not in PUBLIC_STATUSES:
        raise Http404
    today = timezone.localdate()
    return {**_agency(agency), "address": agency.address, "description": agency.description,
            "change_pending": agency.change_pending,
            "regions_served": [r.code for r in agency.regions_served.all()],
            "qualifications": selectors.valid_qualifications(agency, today),
            "cases": [{"title": c.title, "year": c.year, "client": c.client} for c in agency.cases.all()]}
