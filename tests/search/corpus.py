"""A generated, labelled corpus for relevance tests: agencies and postings with known ground truth.

Names follow real patterns (<county><brand><service word><suffix>), each agency offers 1–3 catalogue
services, some agencies are not admitted (must never appear). `labelled_queries` derives the relevant
set of each query from the generated facts, not from the search engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from marketplace.models import Organisation, Region, ServiceType
from tests.factories import make_uscc

# (catalogue code, the word people type, the word put in names)
SERVICES = [
    ("ZR01", "测绘", "测绘"), ("HB01", "环评", "环境科技"), ("JS05", "造价", "造价咨询"), ("JS06", "监理", "工程监理"),
    ("JS01", "勘察", "勘察"), ("JS04", "招标", "招标代理"), ("YJ01", "安评", "安全技术"), ("ZR02", "估价", "土地估价"),
    ("CZ01", "资产评估", "资产评估"), ("CZ02", "审计", "会计师事务所"), ("XF01", "消防", "消防检测"),
    ("SL02", "水保", "水利科技"), ("QX01", "防雷", "防雷检测"), ("FG01", "可研", "工程咨询"),
]
REGIONS = [("330482", "平湖"), ("330421", "嘉善"), ("330481", "海宁"), ("330402", "南湖"), ("330483", "桐乡"),
           ("441802", "清城")]
BRANDS = ["华正", "中天", "宏信", "恒远", "天成", "正元", "博达", "金诚", "同创", "瑞丰", "永安", "鼎盛", "明远", "立信",
          "汇通", "国泰", "新源", "长江", "东方", "致远", "远景", "方圆", "建业", "科信", "启航"]
SUFFIXES = ["有限公司", "事务所有限公司", "技术有限公司", "股份有限公司"]


@dataclass
class Fact:
    agency_id: int
    uscc: str
    name: str
    region: str
    region_short: str
    brand: str
    services: set[str] = field(default_factory=set)
    admitted: bool = True


@dataclass
class Corpus:
    facts: list[Fact]
    projects: list[dict]

    def admitted(self):
        return [f for f in self.facts if f.admitted]


def build_corpus(seed: int = 8, n_agencies: int = 160, n_hidden: int = 12) -> Corpus:
    from agencies.models import Agency, AgencyService
    from projects.models import Project

    rng = random.Random(seed)
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c, _s in REGIONS])}
    facts: list[Fact] = []
    used_names: set[str] = set()
    statuses = ["suspended", "removed", "blacklisted", "draft", "submitted", "rejected"]
    for i in range(n_agencies + n_hidden):
        code, short = REGIONS[i % len(REGIONS)]
        primary = SERVICES[(i // len(REGIONS)) % len(SERVICES)]
        brand = rng.choice(BRANDS)
        name = f"{short}{brand}{primary[2]}{rng.choice(SUFFIXES)}"
        while name in used_names:
            brand = rng.choice(BRANDS)
            name = f"{short}{brand}{primary[2]}{rng.choice(SUFFIXES)}"
        used_names.add(name)
        extra = rng.sample([s for s in SERVICES if s != primary], rng.choice([0, 1, 2]))
        offered = [primary, *extra]
        hidden = i >= n_agencies
        uscc = make_uscc(900000 + i, region=code)
        org = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name=name, uscc=uscc, region=regions[code])
        agency = Agency.objects.create(
            organisation=org, name=name, uscc=uscc, region=regions[code], entity_type="企业",
            description="专业从事" + "、".join(ServiceType.objects.get(code=s[0]).name for s in offered) + "等中介服务。",
            status=statuses[i % len(statuses)] if hidden else "admitted",
            credit_grade=rng.choice("AABBC"),
        )
        for s in offered:
            low = Decimal(rng.choice([5000, 20000, 80000, 300000]))
            AgencyService.objects.create(agency=agency, service_type_id=s[0], price_min=low, price_max=low * 3)
        facts.append(Fact(agency.pk, uscc, name, code, short, brand, {s[0] for s in offered}, admitted=not hidden))
    owner = Organisation.objects.create(kind=Organisation.Kind.OWNER, name="平湖市住房和城乡建设局",
                                        region=regions["330482"])
    projects = []
    titles = [("ZR01", "{r}新城道路地形测绘"), ("HB01", "{r}污水处理厂环境影响评价"), ("JS05", "{r}学校改扩建工程造价咨询"),
              ("JS06", "{r}体育馆工程监理"), ("SL02", "{r}产业园水土保持方案编制")]
    for j in range(40):
        code, short = REGIONS[j % len(REGIONS)]
        st, title = titles[j % len(titles)]
        status = "draft" if j % 8 == 7 else rng.choice(["published", "closed", "completed"])
        p = Project.objects.create(code=f"PH-2026-{j + 1:04d}", owner=owner, title=title.format(r=short) + f"（{j + 1}期）",
                                   service_type_id=st, region=regions[code], ceiling=Decimal(rng.choice([30000, 90000, 400000])),
                                   funding="fiscal", method=rng.choice(["draw", "lowest", "direct"]), status=status)
        projects.append({"id": p.pk, "code": p.code, "service": st, "region": code, "short": short,
                         "visible": status != "draft"})
    return Corpus(facts, projects)


@dataclass
class Labelled:
    category: str
    q: str
    relevant: set[int]
    kind: str = "agency"


def labelled_queries(corpus: Corpus) -> list[Labelled]:
    from marketplace.search.analysis import pinyin_full, pinyin_initials

    admitted = corpus.admitted()
    out: list[Labelled] = []
    word = {code: w for code, w, _n in SERVICES}

    def offering(code, region=None):
        return {f.agency_id for f in admitted if code in f.services and (region is None or f.region == region)}

    # 1. two-character (and four-character) service words
    for code, w, _n in SERVICES:
        out.append(Labelled("service word", w, offering(code)))
    # 2. region + service
    for region, short in REGIONS[:4]:
        for code in ("ZR01", "JS05"):
            out.append(Labelled("region + service", f"{short} {word[code]}", offering(code, region)))
    # 3. pinyin of service words and of brands
    for code in ("ZR01", "JS05", "JS06"):
        out.append(Labelled("pinyin", pinyin_full(word[code]), offering(code)))
    for fact in admitted[:4]:
        out.append(Labelled("pinyin", pinyin_full(fact.brand),
                            {f.agency_id for f in admitted if f.brand == fact.brand}))
    # 4. one-character typos: homophones (what IMEs produce) and plain substitutions
    typos = [("测会", "ZR01"), ("环坪", "HB01"), ("监里", "JS06"), ("勘查", "JS01"), ("造介", "JS05"),
             ("审汁", "CZ02"), ("消仿", "XF01")]
    for typo, code in typos:
        out.append(Labelled("typo", typo, offering(code)))
    out.append(Labelled("typo", "平胡 测绘", offering("ZR01", "330482")))
    # 5. exact names, initials and codes
    for fact in admitted[5:9]:
        out.append(Labelled("name", fact.name, {fact.agency_id}))
    for fact in admitted[10:12]:
        initials = pinyin_initials(fact.region_short + fact.brand)
        out.append(Labelled("initials", initials, {f.agency_id for f in admitted
                                                   if pinyin_initials(f.region_short + f.brand) == initials}))
    for fact in admitted[20:22]:
        out.append(Labelled("uscc", fact.uscc, {fact.agency_id}))
    # 6. postings
    visible = [p for p in corpus.projects if p["visible"]]
    for code, w in (("ZR01", "测绘"), ("HB01", "环评"), ("JS05", "造价")):
        out.append(Labelled("project", w, {p["id"] for p in visible if p["service"] == code}, kind="project"))
    out.append(Labelled("project", "平湖 测绘", {p["id"] for p in visible if p["service"] == "ZR01"
                                                and p["region"] == "330482"}, kind="project"))
    out.append(Labelled("project", visible[3]["code"], {visible[3]["id"]}, kind="project"))
    return [lq for lq in out if lq.relevant]


def recall_at_10(found: list[int], relevant: set[int]) -> float:
    return len(set(found[:10]) & relevant) / min(10, len(relevant))
