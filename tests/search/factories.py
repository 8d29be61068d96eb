"""Small helpers to make searchable agencies and postings for the search tests."""

from decimal import Decimal

from agencies.models import AgencyService
from marketplace.models import Region
from tests.factories import AgencyFactory, ProjectFactory


def agency(name, *, services=("ZR01",), region="330482", grade="A", status="admitted", description="", price=20000):
    a = AgencyFactory(name=name, region=Region.objects.get(code=region), credit_grade=grade, status=status,
                      description=description)
    for code in services:
        AgencyService.objects.create(agency=a, service_type_id=code, price_min=Decimal(price),
                                     price_max=Decimal(price) * 2)
    return a


def project(title, *, service="ZR01", region="330482", status="published", method="draw", ceiling=90000):
    return ProjectFactory(title=title, service_type_id=service, region=Region.objects.get(code=region), status=status,
                          method=method, ceiling=Decimal(ceiling))


_SAMPLES = {int: 1, str: "x", bool: False, dict: {}, list: [], object: "x"}


def payload(action, **given):
    """`given` plus a placeholder for every other required field the action declares (so a test keeps
    recording a valid entry while the declarations grow)."""
    import datetime as dt

    from marketplace import events

    declared = events.declared().get(action)
    data = dict(given)
    for name, (types, optional) in (declared.fields.items() if declared else ()):
        if name in data or optional:
            continue
        sample = next((_SAMPLES[t] for t in types if t in _SAMPLES), None)
        if sample is None:
            sample = dt.date(2026, 1, 5) if dt.date in types else Decimal("0") if Decimal in types else ""
        data[name] = sample
    return data
