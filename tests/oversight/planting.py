"""Rows for the indicator tests: rounds, awards and delivery steps written directly (the indicators only read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone

from marketplace.identifiers import make_resident_id
from marketplace.models import Organisation, ServiceType
from projects.models import Project, Registration
from tests.factories import AgencyFactory, OrganisationFactory

AS_OF = dt.date(2026, 6, 30)
_serial = count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def agency(**kwargs):
    n = next(_serial)
    defaults = {"contact_phone": f"139{n:08d}", "address": f"平湖市当湖街道新华路{n}号{n}室",
                "legal_rep_id": make_resident_id(n, birth=dt.date(1970, 1, 1) + dt.timedelta(days=n)),
                "contact_id": make_resident_id(n, birth=dt.date(1990, 1, 1) + dt.timedelta(days=n))}
    return AgencyFactory(**{**defaults, **kwargs})


def owner(name: str | None = None) -> Organisation:
    return OrganisationFactory(kind=Organisation.Kind.OWNER, name=name or f"测试业主{next(_serial)}")


def service_types_of_distinct_departments(n: int) -> list[ServiceType]:
    out, seen = [], set()
    for st in ServiceType.objects.order_by("code"):
        if st.department_id not in seen:
            seen.add(st.department_id)
            out.append(st)
    return out[:n]


def round_(*, owner, agencies, method="lowest", quotes=None, winner=0, day=AS_OF - dt.timedelta(days=20),
           ceiling="100000", confirmed=True, service="ZR01", window_wd=5, funding="fiscal", **extra) -> Project:
    """A closed round with `agencies` registered (with `quotes`), `agencies[winner]` selected (None: no selection)."""
    n = next(_serial)
    project = Project.objects.create(
        code=f"T-{n:05d}", owner=owner, title=f"测试项目{n}", ceiling=Decimal(ceiling), funding=funding, method=method,
        service_type=ServiceType.objects.get(code=service) if isinstance(service, str) else service,
        region_id=owner.region_id or "330482", window_wd=window_wd, published_at=at(day - dt.timedelta(days=7)),
        closed_at=at(day, 17), status=Project.Status.COMPLETED if winner is not None else Project.Status.CLOSED,
        **extra)
    regs = [Registration.objects.create(project=project, agency=a, registered_at=at(day - dt.timedelta(days=3)),
                                        quote=Decimal(quotes[i]) if quotes else None) for i, a in enumerate(agencies)]
    if winner is not None:
        chosen = regs[winner]
        chosen.offer = Registration.Offer.CONFIRMED if confirmed else Registration.Offer.OFFERED
        chosen.offer_answered_at = at(day + dt.timedelta(days=1)) if confirmed else None
        chosen.save()
        project.selected, project.selected_at = chosen, at(day + dt.timedelta(days=1), 9)
        project.awarded_price = chosen.quote
        project.save()
    return project


def direct_pick(*, owner, agency, day, ceiling, service="ZR01") -> Project:
    return round_(owner=owner, agencies=[agency], method="direct", day=day, ceiling=ceiling, service=service,
                  direct_reason="金额较小，直接选取。")
