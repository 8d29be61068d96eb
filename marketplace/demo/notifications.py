"""Demo notifications: the printed agency login (agency1) has a subscription to its own services, two new
matching postings in its inbox and feed, and an offer to confirm with its deadline, all made through the
real services (`subscribe`, `publish`, `select_direct`), so the inbox, the feed and `GET
/api/me/notifications` show what a new user would really receive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from marketplace import subscriptions
from marketplace.demo.history import admin_of
from marketplace.demo.seeding import DEMO_AGENCY
from marketplace.models import Organisation, ServiceType, Subscription, User


@transaction.atomic
def seed(*, now: dt.datetime | None = None) -> None:
    """Idempotent: does nothing once agency1 has a subscription (or when there is no agency1 or owner)."""
    from agencies.models import Agency
    from projects import services

    now = now or timezone.now()
    user = User.objects.filter(email=DEMO_AGENCY).first()
    agency = Agency.objects.filter(organisation__memberships__user=user).select_related("organisation").first()
    owner = Organisation.objects.filter(kind="owner").order_by("id").first()
    if user is None or agency is None or owner is None or Subscription.objects.filter(user=user).exists():
        return
    types, _regions = subscriptions.default_for(user)
    city = owner.region.parent_id or owner.region_id
    subscriptions.subscribe(by=user, name="本机构服务 · 嘉兴", service_types=types, regions=[city],
                            now=now - dt.timedelta(hours=3))
    service = ServiceType.objects.get(code=sorted(types)[0])
    by = admin_of(owner)

    def draft(title, minutes_ago, **fields):
        return services.create_draft(by=by, owner=owner, now=now - dt.timedelta(minutes=minutes_ago), fields={
            "title": title, "service_type": service, "region": owner.region, "funding": "fiscal",
            "scope": f"{title}：按委托书要求完成全部工作并提交成果资料。", "requested_limit_wd": 10, **fields})

    open_posting = draft(f"平湖市曹桥街道安置小区{service.name}服务", 120, ceiling=Decimal("80000"),
                         floor=Decimal("40000"), method="lowest")
    services.publish(by=by, project=open_posting, now=now - dt.timedelta(minutes=110))
    direct = draft(f"平湖市应急排涝泵站{service.name}（直接选取）", 60, ceiling=Decimal("18000"), method="direct",
                   direct_reason="汛期应急抢险，金额较小，直接选取。")
    direct = services.publish(by=by, project=direct, now=now - dt.timedelta(minutes=50))
    services.select_direct(by=by, project=direct, agency=agency, now=now - dt.timedelta(minutes=40))
