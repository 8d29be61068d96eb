"""Subscriptions: a signed-in user's standing interest in service types × regions.

Writes (`subscribe`, `unsubscribe`) are audited; `matching(service_type, region)` answers which active
subscriptions a posting of that service type in that region reaches (a subscribed region covers the
regions below it; an empty axis means any). The apps announce their postings through their own
declared notifications (`projects/notifications.py`), so the kernel never imports them. An app may
register the default choice offered to a user (`register_default`): an agency's own services and region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketplace import audit
from marketplace.reference import region_ancestors

_defaults: list[Callable] = []


def register_default(fn: Callable) -> Callable:
    """Register `fn(user) -> (service type codes, region codes) | None`, the first answer is the default."""
    if fn not in _defaults:
        _defaults.append(fn)
    return fn


def default_for(user) -> tuple[list[str], list[str]]:
    for fn in _defaults:
        answer = fn(user)
        if answer:
            return list(answer[0]), list(answer[1])
    return [], []


@transaction.atomic
def subscribe(*, by, name: str, service_types: Iterable, regions: Iterable, now: dt.datetime | None = None):
    """Create a subscription of `by` (a signed-in user) to the given service types × regions."""
    from marketplace.models import Region, ServiceType, Subscription

    if by is None or not by.is_authenticated:
        raise ValidationError("请先登录 / sign in first")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("请填写订阅名称（不超过100字）/ give the subscription a name (at most 100 characters)")
    st_codes = {getattr(s, "pk", s) for s in service_types}
    region_codes = {getattr(r, "pk", r) for r in regions}
    found_st = list(ServiceType.objects.filter(pk__in=st_codes))
    found_regions = list(Region.objects.filter(pk__in=region_codes))
    if len(found_st) != len(st_codes) or len(found_regions) != len(region_codes):
        raise ValidationError("服务类型或区域不存在 / unknown service type or region")
    now = now or timezone.now()
    sub = Subscription.objects.create(user=by, name=name, created_at=now)
    sub.service_types.set(found_st)
    sub.regions.set(found_regions)
    audit.record(action="marketplace.subscribed", by=by, obj=sub, now=now,
                 data={"subscription": sub.pk, "service_types": sorted(st_codes), "regions": sorted(region_codes)})
    return sub


@transaction.atomic
def unsubscribe(*, by, subscription, now: dt.datetime | None = None) -> None:
    """End one's own subscription (its feed stops answering)."""
    from marketplace.models import Subscription

    sub = Subscription.objects.select_for_update().filter(pk=subscription.pk, user=by).first()
    if sub is None:
        raise ValidationError("订阅不存在 / no such subscription")
    if not sub.active:
        return
    sub.active = False
    sub.save(update_fields=["active"])
    audit.record(action="marketplace.unsubscribed", by=by, obj=sub, now=now or timezone.now(),
                 data={"subscription": sub.pk})


def matching(*, service_type: str | None, region: str | None) -> list:
    """Active subscriptions a posting of `service_type` in `region` reaches, with their users."""
    from django.db.models import Q

    from marketplace.models import Subscription

    regions = region_ancestors(region) if region else []
    qs = Subscription.objects.filter(active=True, user__is_active=True)
    qs = qs.filter(Q(service_types__isnull=True) | Q(service_types=service_type))
    qs = qs.filter(Q(regions__isnull=True) | Q(regions__in=regions))
    return list(qs.distinct().select_related("user").order_by("id"))
