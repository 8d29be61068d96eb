"""Many admitted agencies in a few statements (the query-count tests need 1,000 of them quickly)."""

from decimal import Decimal

from agencies.models import Agency, AgencyService, Qualification
from marketplace.identifiers import make_resident_id, make_uscc
from marketplace.models import Organisation


def many_agencies(n: int, *, start: int = 50_000, status: str = "admitted") -> list[Agency]:
    orgs = Organisation.objects.bulk_create([
        Organisation(kind=Organisation.Kind.AGENCY, name=f"嘉兴批量测绘有限公司{start + i}", uscc=make_uscc(start + i),
                     region_id="330482") for i in range(n)])
    agencies = Agency.objects.bulk_create([
        Agency(organisation=o, name=o.name, uscc=o.uscc, entity_type="企业", region_id="330482",
               legal_rep_name=f"法人{i}", legal_rep_id=make_resident_id(start + i), status=status,
               credit_grade="ABCD"[i % 4], credit_score=100 - i % 40)
        for i, o in enumerate(orgs)])
    AgencyService.objects.bulk_create([
        AgencyService(agency=a, service_type_id=code, price_min=Decimal(10000 + i), price_max=Decimal(30000))
        for i, a in enumerate(agencies) for code in (("ZR01", "HB01") if i % 2 else ("ZR01",))])
    Qualification.objects.bulk_create([
        Qualification(agency=a, qualification_type="测绘资质", level=1, number=f"Q{start + i}", scope="地形测量")
        for i, a in enumerate(agencies) if i % 3 == 0])
    return agencies
