"""Domain demo data. Extended as the agencies and projects apps grow."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from marketplace.demo.names import BUSINESS, agency_name, person
from marketplace.models import Membership, Organisation, Region, ServiceType

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
AGENCY_REGIONS = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"]


def uscc(region: str, serial: int, prefix: str = "91") -> str:
    body = prefix + region + f"MA2{serial:06d}"[:9]
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    c = 31 - total % 31
    return body + USCC_CHARSET[0 if c == 31 else c]


def resident_id(region: str, serial: int, rng: random.Random) -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 30))
    body = f"{region}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def seed_agencies(*, rng: random.Random, count: int, ensure_user) -> str | None:
    from agencies.models import Agency, AgencyService, Qualification

    if Agency.objects.exists():
        return "agency1@demo.zjcs.cn"
    codes = list(BUSINESS)
    used: set[str] = set()
    regions = {r.code: r for r in Region.objects.filter(code__in=AGENCY_REGIONS)}
    with transaction.atomic():
        for i in range(count):
            code = codes[i % len(codes)]
            region = AGENCY_REGIONS[i % len(AGENCY_REGIONS)]
            name = agency_name(rng, code, used)
            user = ensure_user(f"agency{i + 1}@demo.zjcs.cn", person(rng))
            org = Organisation.objects.create(kind="agency", name=name, uscc=uscc(region, i + 1), region=regions[region])
            Membership.objects.create(user=user, organisation=org, role=Membership.Role.ADMIN)
            agency = Agency.objects.create(
                organisation=org, name=name, uscc=org.uscc, entity_type="企业", region=regions[region],
                address=f"{regions[region].name}{rng.choice(['新华路', '人民路', '中山路', '解放路'])}{rng.randint(1, 300)}号",
                legal_rep_name=person(rng), legal_rep_id=resident_id(region, i + 1, rng),
                contact_name=person(rng), contact_phone=f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                description=f"专业从事{ServiceType.objects.get(code=code).name}等中介服务，服务嘉兴及周边地区。",
                status="admitted", credit_score=rng.choice([100, 100, 98, 95, 92, 88, 85, 78]),
            )
            agency.credit_grade = "A" if agency.credit_score >= 90 else "B" if agency.credit_score >= 80 else "C"
            agency.save(update_fields=["credit_grade"])
            for extra in {code, rng.choice(codes)}:
                low = Decimal(rng.randrange(5, 50) * 1000)
                AgencyService.objects.create(agency=agency, service_type_id=extra, price_min=low,
                                             price_max=low * rng.choice([2, 3, 4]),
                                             time_limit_wd=rng.choice([5, 10, 15, 20]),
                                             description="按国家及省相关收费标准执行，可提供加急服务。")
            st = ServiceType.objects.get(code=code)
            if st.qualification:
                Qualification.objects.create(agency=agency, qualification_type=st.qualification,
                                             level=rng.choice([1, 2, 3]), number=f"ZJ{rng.randint(10**7, 10**8)}",
                                             issuer="浙江省主管部门", valid_from=dt.date(2023, 1, 1),
                                             valid_to=dt.date(2028, 12, 31))
    return "agency1@demo.zjcs.cn"


def seed_projects(*, rng: random.Random) -> None:
    """Postings in each state, once the projects app provides its services (wired at merge)."""
    return None
