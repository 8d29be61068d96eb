"""Domain demo data. Extended as the agencies and projects apps grow."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from marketplace.demo import credit
from marketplace.demo.history import MINIMAL_PDF, admin_of
from marketplace.demo.names import BUSINESS, agency_name, person
from marketplace.identifiers import make_resident_id, make_uscc
from marketplace.models import Membership, Organisation, Region, ServiceType

DEMO_AGENCY = "agency1@demo.zjcs.cn"
AGENCY_REGIONS = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"]


def uscc(region: str, serial: int, prefix: str = "91") -> str:
    return make_uscc(serial, region, prefix, series="MA2")


def resident_id(region: str, serial: int, rng: random.Random) -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 30))
    return make_resident_id(serial, region, birth)


def seed_agencies(*, rng: random.Random, count: int, ensure_user) -> str | None:
    from agencies.models import Agency, AgencyService, Qualification

    if Agency.objects.exists():
        return DEMO_AGENCY
    codes = list(BUSINESS)
    used: set[str] = set()
    regions = {r.code: r for r in Region.objects.filter(code__in=AGENCY_REGIONS)}
    with transaction.atomic():
        for i in range(count):
            code = codes[i % len(codes)]
            region = AGENCY_REGIONS[i % len(AGENCY_REGIONS)]
            name = agency_name(rng, code, used, region)
            user = ensure_user(f"agency{i + 1}@demo.zjcs.cn", person(rng))
            org = Organisation.objects.create(kind="agency", name=name, uscc=uscc(region, i + 1),
                                              region=regions[region])
            Membership.objects.create(user=user, organisation=org, role=Membership.Role.ADMIN)
            agency = Agency.objects.create(
                organisation=org, name=name, uscc=org.uscc, entity_type="企业", region=regions[region],
                address=f"{regions[region].name}{rng.choice(['新华路', '人民路', '中山路', '解放路'])}{rng.randint(1, 300)}号",
                legal_rep_name=person(rng), legal_rep_id=resident_id(region, i + 1, rng),
                contact_name=person(rng), contact_phone=f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                description=f"专业从事{ServiceType.objects.get(code=code).name}等中介服务，服务嘉兴及周边地区。",
                status="admitted",
            )
            # Land appraisers also survey (both under 自然资源), so every demo size has surveyors for the draws.
            offered = [code, rng.choice(codes), *(["ZR01"] if code == "ZR02" else [])]
            for extra in dict.fromkeys(offered):
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
    return DEMO_AGENCY


class _Timeline:
    """Drives postings through the real services along a past timeline ending `now`."""

    def __init__(self, services, owner, now):
        self.services, self.owner, self.now = services, owner, now
        self.day = dt.timedelta(days=1)

    def draft(self, title, *, service="ZR01", method="draw", ceiling="120000", floor=None, when=None, org=None,
              **extra):
        org = org or self.owner
        fields = {"title": title, "service_type": ServiceType.objects.get(code=service), "region": org.region,
                  "scope": f"{title}：按委托书要求完成全部工作并提交成果资料。", "ceiling": Decimal(ceiling),
                  "floor": Decimal(floor) if floor else None, "funding": "fiscal", "method": method,
                  "requested_limit_wd": 10, **extra}
        return self.services.create_draft(by=admin_of(org), owner=org, fields=fields, now=when or self.now)

    def run_to_selection(self, project, agencies, *, published, quotes=None):
        project = self.services.publish(by=admin_of(project.owner), project=project, now=published)
        for i, agency in enumerate(agencies):
            self.services.register(by=admin_of(agency.organisation), project=project, agency=agency,
                                   quote=quotes[i] if quotes else None, now=published + dt.timedelta(hours=2 + i))
        project.refresh_from_db()
        self.services.close_registration(project=project, now=project.registration_deadline)
        return project

    def select(self, project, when):
        self.services.select_provider(by=admin_of(project.owner), project=project, now=when)
        project.refresh_from_db()
        return project

    def confirm(self, project, when):
        reg = project.registrations.get(agency__uscc=project.selection_order[project.offer_index])
        self.services.confirm_selection(by=admin_of(reg.agency.organisation), registration=reg, now=when)
        project.refresh_from_db()
        return project

    def posting(self, title, agencies, days_ago: int, **draft_kwargs):
        """A posting drafted and published `days_ago` days ago, with `agencies` registered and registration closed."""
        when = self.now - days_ago * self.day
        return self.run_to_selection(self.draft(title, when=when, **draft_kwargs), agencies, published=when)


def _qualified(service: str) -> list:
    from agencies.models import Agency

    return list(Agency.objects.filter(status="admitted", credit_grade__in=["A", "B"], services__service_type_id=service)
                .distinct().select_related("organisation").order_by("id"))


def seed_projects(*, rng: random.Random) -> None:
    """A year of credit history (`credit.replay`), then postings in each state, all driven through the real
    services along a past timeline."""
    from django.utils import timezone

    from projects import services
    from projects.models import Project

    if Project.objects.exists():
        return
    owners = list(Organisation.objects.filter(kind="owner").order_by("id"))
    credit.replay(rng=rng, today=timezone.localdate(), codes=list(BUSINESS))
    surveyors, assessors = _qualified("ZR01"), _qualified("HB01")
    if len(surveyors) < 4 or not owners:
        return
    t = _Timeline(services, owners[0], timezone.now())
    # The printed agency login is left free to register on the open posting itself.
    others = [a for a in surveyors if not a.organisation.memberships.filter(user__email=DEMO_AGENCY).exists()]
    _early_postings(t, surveyors, others)
    _contracted_postings(t, surveyors)
    if len(assessors) >= 3:
        lowest = t.draft("海宁市尖山新区污水处理厂扩建环境影响报告书编制", service="HB01", method="lowest",
                         ceiling="300000", floor="150000", when=t.now - 9 * t.day, org=owners[1 % len(owners)])
        lowest = t.run_to_selection(lowest, assessors[:3], published=t.now - 9 * t.day,
                                    quotes=[Decimal("268000"), Decimal("245000"), Decimal("259500")])
        services.select_provider(by=admin_of(lowest.owner), project=lowest, now=t.now - dt.timedelta(hours=4))
    failed = t.posting("平湖市林埭镇农村公路提升工程带状地形图测绘", surveyors[:2], 9)
    t.select(failed, t.now - 2 * t.day)
    owner_user = admin_of(t.owner)
    cancelled = services.publish(by=owner_user, project=t.draft("平湖市广陈镇文化礼堂测绘（已取消）",
                                                                 when=t.now - 4 * t.day), now=t.now - 4 * t.day)
    services.cancel(by=owner_user, project=cancelled, reason="项目立项调整，需求取消。", now=t.now - 3 * t.day)


def _early_postings(t: _Timeline, surveyors: list, others: list) -> None:
    """A draft, an open posting (`others` registered), one awaiting confirmation and one in publicity."""
    now, day, hour = t.now, t.day, dt.timedelta(hours=1)
    t.draft("平湖市当湖街道老旧小区改造工程地形测绘（草稿）")
    open_ = t.services.publish(by=admin_of(t.owner), project=t.draft("平湖市独山港区道路工程1:500地形图测绘"),
                               now=now - day)
    for agency in others[:2]:
        t.services.register(by=admin_of(agency.organisation), project=open_, agency=agency, now=now - day / 2)
    t.select(t.posting("平湖市钟埭街道农房集聚区宗地测绘", surveyors[:4], 9), now - hour)
    publicity = t.posting("平湖市新埭镇工业园区竣工测量", surveyors[1:5], 9)
    t.confirm(t.select(publicity, now - 3 * hour), now - 2 * hour)


def _contracted_postings(t: _Timeline, surveyors: list) -> None:
    """One posting whose contract is signed and uploaded (service running), one still contracting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    now, day, hour = t.now, t.day, dt.timedelta(hours=1)
    signed = t.posting("平湖市乍浦镇滨海大道拓宽工程规划放线测量", surveyors[:4], 30)
    signed = t.confirm(t.select(signed, now - 24 * day), now - 24 * day + 2 * hour)
    t.services.end_publicity(project=signed, now=now - 14 * day)
    signed.refresh_from_db()
    t.services.upload_contract(by=admin_of(t.owner), project=signed, signed_on=(now - 12 * day).date(),
                               upload=SimpleUploadedFile("contract.pdf", MINIMAL_PDF, content_type="application/pdf"),
                               now=now - 12 * day)
    contracting = t.posting("平湖市曹桥街道河道整治工程水下地形测量", surveyors[1:5], 20)
    contracting = t.confirm(t.select(contracting, now - 14 * day), now - 14 * day + hour)
    t.services.end_publicity(project=contracting, now=now - 2 * day)
