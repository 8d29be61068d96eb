"""What gets indexed: plain documents, shared by every backend, built by the apps that own the rows.

Each app registers its kind (registry.py) with a queryset of visible objects and a `build(obj)`
that returns a dict with these keys, so the database backend, the Elasticsearch backend and the
tests all see exactly the same content:

    kind, object_id, key (USCC / posting code), title, summary, region_code, region_name,
    region_path (the region and its ancestors), grade, status, method, service_codes,
    price_buckets, price_min, price_max, recency, tokens_primary (name-like text, pre-segmented),
    tokens_body (descriptions, pre-segmented), name and text (raw text for Elasticsearch analysers).

The helpers below (price buckets, the region chain, region tokens) are what builders share.
Only visible objects are indexed (an agency once admitted, a posting once published), and every
query filters on the kind's visible statuses again.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from marketplace.search import analysis, registry
from marketplace.search.types import AGENCY, PROJECT

__all__ = ["AGENCY", "PROJECT", "PRICE_BUCKETS", "PRICE_LABELS", "clear_caches", "count_objects", "iter_documents",
           "price_bucket", "region_chain", "region_tokens", "service_type_labels"]


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


SERVICE_LABELS_TTL = 30.0  # seconds; saves and deletes through the ORM clear it at once (signals below)
_service_labels: dict[str, tuple[float, dict[str, str]]] = {}


def service_type_labels(*, refresh: bool = False) -> dict[str, str]:
    """{code: name} of the service types, cached in process (one query per search showed up in
    profiles); refreshed after SERVICE_LABELS_TTL, on any ServiceType save or delete in this process,
    or on demand (`refresh`, when a filter names a code not seen yet)."""
    from marketplace.models import ServiceType

    cached = _service_labels.get("labels")
    now = time.monotonic()
    if refresh or cached is None or now - cached[0] > SERVICE_LABELS_TTL:
        cached = _service_labels["labels"] = (now, dict(ServiceType.objects.values_list("code", "name")))
    return cached[1]


def _forget_service_labels(**_kwargs) -> None:
    _service_labels.clear()


post_save.connect(_forget_service_labels, sender="marketplace.ServiceType", dispatch_uid="search_service_labels")
post_delete.connect(_forget_service_labels, sender="marketplace.ServiceType", dispatch_uid="search_service_labels")


def clear_caches() -> None:
    _regions.cache_clear()
    _service_labels.clear()


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


def region_tokens(chain: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for _code, name in chain:
        out.extend(analysis.key_tokens(name))
    return out


def iter_documents(kind: str, *, ids=None, chunk_size: int = 1000):
    """Yield documents of one kind in id order, `chunk_size` objects per query (bounded memory)."""
    registered = registry.get(kind)
    qs, build = registered.queryset(), registered.build
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
    return registry.get(kind).queryset().count()


def now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()
