"""What the agencies app contributes to search: admitted agencies, and the actions that re-index them.

Registered from AgenciesConfig.ready(). Only admitted agencies are searchable (suspended, removed,
blacklisted and not-yet-admitted ones are absent from the index, and every query filters on the
status again).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from marketplace import search
from marketplace.search import analysis
from marketplace.search.documents import price_bucket, region_chain, region_tokens

VISIBLE_STATUS = "admitted"

# Declared actions (agencies/events.py) that change an agency's document, and where its id is.
REINDEX_ON = {
    "agencies.admitted": search.OBJECT,
    "agencies.status_changed": search.OBJECT,
    "agencies.storefront_updated": search.OBJECT,
    "agencies.change_approved": "agency",
    "agencies.credit_updated": search.OBJECT,
}
# A credit change only moves the grade column of the document (score and grade are stored by a bulk
# UPDATE that leaves `updated_at`, hence the recency, alone): a column refresh, not a rebuilt document.
COLUMNS_ON = {"agencies.credit_updated": {"grade": "credit_grade"}}


def visible_agencies():
    from agencies.models import Agency

    return (Agency.objects.filter(status=VISIBLE_STATUS)
            .select_related("region")
            .prefetch_related("services__service_type", "qualifications")
            .order_by("id"))


def agency_document(agency) -> dict:
    """The searchable content of one admitted agency (services and qualifications prefetched)."""
    chain = region_chain(agency.region_id)
    services = list(agency.services.all())
    qualifications = list(agency.qualifications.all())
    primary: list[str] = analysis.name_tokens(agency.name)
    primary.append(agency.uscc.lower())
    primary.extend(region_tokens(chain))
    body: list[str] = analysis.segment(agency.description)
    prices: list[Decimal] = []
    buckets: list[str] = []
    for service in services:
        primary.extend(analysis.key_tokens(service.service_type.name))
        body.extend(analysis.segment(service.description))
        price = service.price_min if service.price_min is not None else service.price_max
        buckets.append(price_bucket(price))
        prices.extend(p for p in (service.price_min, service.price_max) if p is not None)
    for q in qualifications:
        primary.extend(analysis.key_tokens(q.qualification_type))
        primary.extend(analysis.key_tokens(q.speciality))
        body.extend(analysis.segment(q.scope))
    return {
        "kind": search.AGENCY,
        "object_id": agency.pk,
        "key": agency.uscc,
        "title": agency.name,
        "summary": "、".join(s.service_type.name for s in services)[:300],
        "region_code": agency.region_id,
        "region_name": chain[0][1] if chain else "",
        "region_path": [c for c, _n in chain],
        "grade": agency.credit_grade or "",
        "status": agency.status,
        "method": "",
        "service_codes": sorted({s.service_type_id for s in services}),
        "price_buckets": sorted(set(buckets)),
        "price_min": min(prices) if prices else None,
        "price_max": max(prices) if prices else None,
        "recency": agency.updated_at,
        "tokens_primary": analysis.join(primary),
        "tokens_body": analysis.join(body),
        # Raw text for engines that analyse it themselves (Elasticsearch smartcn / IK).
        "name": agency.name,
        "text": " ".join([agency.description] + [s.description for s in services] + [q.scope for q in qualifications]),
    }


def grade_labels() -> dict[str, dict[str, str]]:
    from agencies.models import Agency

    return {"grade": {g.value: f"{g.label}级" for g in Agency.Grade}}


def storefront_url(uscc: str) -> str:
    return reverse("agencies:storefront", kwargs={"uscc": uscc})


def register() -> None:
    from agencies.models import Agency

    search.register(search.AGENCY, model=Agency, queryset=visible_agencies, build=agency_document,
                    shown=(VISIBLE_STATUS,), labels=grade_labels, url=storefront_url, reindex_on=REINDEX_ON,
                    columns_on=COLUMNS_ON)
