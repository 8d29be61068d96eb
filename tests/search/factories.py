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
