"""Factories and builders for project tests (on top of tests/factories.py)."""

import datetime as dt
from decimal import Decimal

from marketplace.models import Region
from projects import services
from projects.draw import SHANGHAI
from tests.factories import AgencyFactory, AgencyServiceFactory, ServiceType, member_of

PUBLISH_AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # Tuesday
DEADLINE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=SHANGHAI)  # 3 working days later, 17:00
AFTER = DEADLINE + dt.timedelta(minutes=5)


def eligible_agency(**kwargs):
    """An admitted agency offering ZR01 (测绘), with a member user attached as `.user`."""
    agency = AgencyFactory(**kwargs)
    AgencyServiceFactory(agency=agency, service_type=ServiceType.objects.get(code="ZR01"))
    agency.user = member_of(agency.organisation)
    return agency


def draft_fields(**overrides):
    fields = {
        "title": "平湖市某道路工程地形测绘", "service_type": ServiceType.objects.get(code="ZR01"),
        "region": Region.objects.get(code="330482"), "scope": "1:500 地形图测绘约 2 平方公里",
        "ceiling": Decimal("100000"), "funding": "fiscal", "method": "draw", "requested_limit_wd": 15,
    }
    fields.update(overrides)
    return fields


def make_draft(owner_user, owner_org, now=PUBLISH_AT, **overrides):
    extra = {k: overrides.pop(k) for k in ("qualifications", "practitioners", "avoided", "invited")
             if k in overrides}
    return services.create_draft(by=owner_user, owner=owner_org, fields=draft_fields(**overrides), now=now, **extra)


def make_published(owner_user, owner_org, now=PUBLISH_AT, **overrides):
    project = make_draft(owner_user, owner_org, now=now, **overrides)
    return services.publish(by=owner_user, project=project, now=now)


def register_all(project, agencies, *, quotes=None, start=None):
    start = start or PUBLISH_AT + dt.timedelta(hours=1)
    regs = []
    for i, agency in enumerate(agencies):
        quote = quotes[i] if quotes else None
        regs.append(services.register(by=agency.user, project=project, agency=agency, quote=quote,
                                      now=start + dt.timedelta(minutes=i)))
    return regs


def posting_rows(**groups) -> dict:
    """The posting form's row formsets as POST data: posting_rows(qual=[{...}], prac=[...], avoid=[...])."""
    data = {}
    for prefix in ("qual", "prac", "avoid"):
        items = groups.get(prefix, [])
        data.update({f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"})
        for i, row in enumerate(items):
            data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data
