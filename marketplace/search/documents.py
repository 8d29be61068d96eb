"""What gets indexed: agencies and postings turned into plain documents, shared by every backend.

Only admitted agencies are searchable (suspended, removed, blacklisted and not-yet-admitted ones
are absent from the index, and every query filters on status again); postings are searchable once
published (drafts never). `agency_document` / `project_document` return plain dicts so the database
backend, the Elasticsearch backend and the tests all see exactly the same content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from marketplace.search import analysis

AGENCY = "agency"
PROJECT = "project"
AGENCY_VISIBLE_STATUS = "admitted"
PROJECT_HIDDEN_STATUSES = ("draft",)


@dataclass(frozen=True)
class PriceBucket:
    key: str
    low: Decimal | None
    high: Decimal | None
    label: str


PRICE_BUCKETS = (
    PriceBucket("p0", None, None, _("面议")),
    PriceBucket("p1", Decimal("0"), Decimal("10000"), _("1万元以下")),
    PriceBucket("p2", Decimal("10000"), Decimal("50000"), _("1–5万元")),
    PriceBucket("p3", Decimal("50000"), Decimal("200000"), _("5–20万元")),
    PriceBucket("p4", Decimal("200000"), Decimal("1000000"), _("20–100万元")),
    PriceBucket("p5", Decimal("1000000"), None, _("100万元以上")),
)
PRICE_LABELS = {b.key: b.label for b in PRICE_BUCKETS}


def price_bucket(amount: Decimal | int | None) -> str:
    """The bucket key for a price in 元 (`p0` when there is no price: 面议)."""
    if amount is None:
        return "p0"
    amount = Decimal(amount)
    for bucket in PRICE_BUCKETS[1:]:
        if amount >= bucket.low and (bucket.high is None or amount < bucket.high):
            return bucket.key
    return "p1"  # negative prices are refused by validators; treat as the lowest bucket


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str | None]]:
    from marketplace.models import Region

    return {code: (name, parent) for code, name, parent in Region.objects.values_list("code", "name", "parent_id")}


def clear_caches() -> None:
    _regions.cache_clear()


def region_chain(code: str) -> list[tuple[str, str]]:
    """[(code, name)] from the region itself up to the province."""
    regions = _regions()
    chain: list[tuple[str, str]] = []
    current = code
    while current and current in regions and all(current != c for c, _n in chain):
        name, parent = regions[current]
        chain.append((current, name))
        current = parent
    if not chain:  # a region created after the cache was filled
        clear_caches()
        regions = _regions()
        if code in regions:
            return region_chain(code)
    return chain


def _region_tokens(chain: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for _code, name in chain:
        out.extend(analysis.key_tokens(name))
    return out


def agency_queryset():
    from agencies.models import Agency

    return (Agency.objects.filter(status=AGENCY_VISIBLE_STATUS)
            .select_related("region")
            .prefetch_related("services__service_type", "qualifications")
            .order_by("id"))


def project_queryset():
    from projects.models import Project

    return (Project.objects.exclude(status__in=PROJECT_HIDDEN_STATUSES)
            .select_related("region", "service_type", "owner")
            .order_by("id"))


def agency_document(agency) -> dict:
    """The searchable content of one admitted agency (services and qualifications prefetched)."""
    chain = region_chain(agency.region_id)
    services = list(agency.services.all())
    qualifications = list(agency.qualifications.all())
    primary: list[str] = analysis.name_tokens(agency.name)
    primary.append(agency.uscc.lower())
    primary.extend(_region_tokens(chain))
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
    service_codes = sorted({s.service_type_id for s in services})
    return {
        "kind": AGENCY,
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
        "service_codes": service_codes,
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


def project_document(project) -> dict:
    """The searchable content of one published posting."""
    chain = region_chain(project.region_id)
    primary: list[str] = analysis.name_tokens(project.title)
    primary.append(analysis.normalise_code(project.code))
    primary.extend(analysis.segment(project.code))
    primary.extend(analysis.key_tokens(project.service_type.name))
    primary.extend(_region_tokens(chain))
    body = analysis.segment(project.scope) + analysis.segment(project.owner.name)
    return {
        "kind": PROJECT,
        "object_id": project.pk,
        "key": project.code,
        "title": project.title,
        "summary": f"{project.owner.name} · {project.service_type.name}"[:300],
        "region_code": project.region_id,
        "region_name": chain[0][1] if chain else "",
        "region_path": [c for c, _n in chain],
        "grade": "",
        "status": project.status,
        "method": project.method,
        "service_codes": [project.service_type_id],
        "price_buckets": [price_bucket(project.ceiling)],
        "price_min": project.floor,
        "price_max": project.ceiling,
        "recency": project.published_at or project.created_at,
        "tokens_primary": analysis.join(primary),
        "tokens_body": analysis.join(body),
        "name": project.title,
        "text": f"{project.scope} {project.owner.name}",
    }


def iter_documents(kind: str, *, ids=None, chunk_size: int = 1000):
    """Yield documents of one kind in id order, `chunk_size` objects per query (bounded memory)."""
    qs = agency_queryset() if kind == AGENCY else project_queryset()
    build = agency_document if kind == AGENCY else project_document
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:chunk_size])
        if not batch:
            return
        for obj in batch:
            yield build(obj)
        last = batch[-1].pk


def count_objects(kind: str) -> int:
    return (agency_queryset() if kind == AGENCY else project_queryset()).count()


def now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()
