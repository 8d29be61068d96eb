"""The demo's credit history, replayed through the real services so that every score is explained by its ledger.

Each story is a list of steps for one demo agency (numbered as its login, `agency<n>`), dated in working
days before today. After every step that touches the ledger the agency is recomputed as of that day, the way
the platform would have done it then (so grade changes and sanctions carry their own dates); `settle_all` brings
everyone up to today at the end.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from marketplace.demo.history import Days, admin_of, deliver, offer_directly, pdf
from marketplace.demo.names import project_title
from marketplace.models import Organisation, ServiceType

SATISFIED = (5, 4, 5, 4, 5)  # 4.60 满意
SATISFIED_PLAIN = (4, 4, 4, 4, 4)  # 4.00 满意
BASIC = (3, 3, 4, 3, 3)  # 3.20 基本满意
UNSATISFIED = (3, 3, 3, 2, 3)  # 2.80 不满意

UNSATISFIED_REASON = "成果报告多处数据错误，经两次退回修改仍未达到合同约定的质量要求，影响了项目审批进度。"
APPEAL_REASON = "评价所述问题系业主提供的基础资料有误所致，我方已按期完成修改，请求撤销该评价。"
APPEAL_UPHELD = "经核查，成果质量问题主要由业主提供的基础资料错误造成，申诉成立，撤销该评价的扣分。"
APPEAL_REJECTED = "经核查，成果报告确实存在评价所述问题，申诉理由不成立，维持原评价。"
COMPLAINT_TEXT = "服务过程中多次无故拖延现场作业，项目联系人长期无法联系，影响了项目推进。"
COMPLAINT_VERIFIED = "经调查核实，投诉情况属实，已责令该机构限期整改。"
COMPLAINT_DISMISSED = "经调查，现场作业延迟系连续降雨所致，机构已提前书面告知业主，投诉不属实。"
REFUSAL_REASON = "项目负责人临时调离，无法按期组织人员开展服务，放弃本次中选。"
REPAIR_REASON = "已按处罚决定完成整改、缴清罚款，并建立了成果报告三级审核制度，申请信用修复。"
REPAIR_APPROVED = "整改材料齐全，整改到位，符合信用修复条件，同意修复。"

# code → (document number, legal basis, facts); the deciding body is the recording regulator unless named below.
DECISIONS = {
    "penalty_general": ("嘉{dept}罚〔{year}〕{n}号", "《浙江省中介服务机构管理办法》第二十八条",
                        "出具的成果报告未履行内部审核程序，给予警告并处罚款。"),
    "violation": ("嘉中介监〔{year}〕{n}号", "《嘉兴市网上中介超市管理办法》第三十一条",
                  "中选后擅自将主体业务转包给其他单位，违反中介超市服务规范。"),
    "fraud": ("嘉中介监〔{year}〕{n}号", "《嘉兴市网上中介超市管理办法》第三十二条",
              "入驻及报名材料中的三项业绩证明系伪造，经核查属实。"),
    "award_county": ("县府办〔{year}〕{n}号", "", "{year}年度诚信中介服务机构（县级表彰）。"),
    "award_city": ("嘉政办发〔{year}〕{n}号", "", "{year}年度嘉兴市优秀中介服务机构。"),
    "award_province": ("浙发改信用〔{year}〕{n}号", "", "{year}年度浙江省守信示范中介机构。"),
}
SHORT = {"自然资源": "自然资规", "住房城乡建设": "建", "生态环境": "环", "发展改革": "发改", "交通运输": "交",
         "应急管理": "应急", "水利": "水", "气象": "气", "财政": "财"}
AWARDING_BODIES = {"award_county": "{region}人民政府", "award_city": "嘉兴市人民政府",
                   "award_province": "浙江省发展和改革委员会"}
CONFIRM_NOTE = "已核对决定文书与证据材料，同意生效。"


@dataclass
class Context:
    days: Days
    rng: random.Random
    agency: object
    service: str
    owners: list
    serials: Iterator[int]

    def owner(self, index: int | None):
        return self.owners[(index if index is not None else self.rng.randrange(len(self.owners))) % len(self.owners)]

    def title(self, owner) -> str:
        return project_title(self.rng, owner.region_id, self.service)

    def number(self) -> int:
        """A fresh serial for a decision document (文号), increasing through the replay."""
        return next(self.serials)

    @property
    def department(self):
        return ServiceType.objects.select_related("department").get(code=self.service).department

    def body(self):
        """The regulator of the department of the agency's service: the body that decides and records."""
        regulators = Organisation.objects.filter(kind=Organisation.Kind.REGULATOR).order_by("id")
        return regulators.filter(scope_departments=self.department).first() or regulators.first()

    def regulator(self):
        return admin_of(self.body())

    def reviewer(self):
        """A second member of the same body (双人复核)."""
        body = self.body()
        return body.memberships.exclude(user=admin_of(body)).select_related("user").order_by("id").first().user


def settle(agency, day: dt.date, days: Days) -> None:
    """Recompute one agency as of `day`, as the platform did when the line was written."""
    from ratings.services import recompute_agency

    recompute_agency(agency, as_of=day, now=days.at(day, 18))
    agency.refresh_from_db()


@dataclass(frozen=True)
class Job:
    """A completed job: `late` working days over its limit, rated with `scores` (None: left unrated)."""

    ago: int
    scores: tuple | None = SATISFIED
    late: int = 0
    appeal: str = ""  # upheld | rejected | pending
    complaint: str = ""  # verified | dismissed
    owner: int | None = None

    def run(self, ctx: Context) -> None:
        from ratings.services import expire_sanctions

        days = ctx.days
        start = days.back(self.ago)
        expire_sanctions(today=start)
        ctx.agency.refresh_from_db()
        owner = ctx.owner(self.owner)
        done = deliver(days, agency=ctx.agency, owner=owner, service=ctx.service, title=ctx.title(owner), start=start,
                       late=self.late, ceiling=Decimal(ctx.rng.randrange(30, 96) * 1000))
        if self.late:
            settle(ctx.agency, done.accepted_on, days)
        if self.scores is not None:
            self._rate(ctx, done, owner)
        if self.complaint:
            self._complain(ctx, done, owner)

    def _rate(self, ctx: Context, done, owner) -> None:
        from ratings.services import decide_appeal, file_appeal, record_rating

        days = ctx.days
        rated_on = days.after(done.accepted_on, 2)
        reason = UNSATISFIED_REASON if self.scores == UNSATISFIED else ""
        rating = record_rating(rating=done.rating, by=admin_of(owner), scores=list(self.scores), reason=reason,
                               today=rated_on, now=days.at(rated_on, 15))
        if rating.result == rating.Result.SATISFIED:
            return
        settle(ctx.agency, rated_on, days)
        if not self.appeal:
            return
        filed_on = days.after(rated_on, 2)
        appeal = file_appeal(rating=rating, by=admin_of(ctx.agency.organisation), reason=APPEAL_REASON,
                             today=filed_on, now=days.at(filed_on, 11))
        settle(ctx.agency, filed_on, days)
        if self.appeal == "pending":
            return
        decided_on = days.after(filed_on, 5)
        upheld = self.appeal == "upheld"
        decide_appeal(appeal=appeal, by=ctx.regulator(), upheld=upheld,
                      note=APPEAL_UPHELD if upheld else APPEAL_REJECTED, now=days.at(decided_on, 16))
        settle(ctx.agency, decided_on, days)

    def _complain(self, ctx: Context, done, owner) -> None:
        from ratings.services import decide_complaint, file_complaint

        days = ctx.days
        filed_on = days.after(done.accepted_on, 3)
        complaint = file_complaint(agency=ctx.agency, by=admin_of(owner), project=done.project, text=COMPLAINT_TEXT,
                                   today=filed_on, now=days.at(filed_on, 9, 30))
        decided_on = days.after(filed_on, 8)
        verified = self.complaint == "verified"
        decide_complaint(complaint=complaint, by=ctx.regulator(), verified=verified, today=decided_on,
                         response=COMPLAINT_VERIFIED if verified else COMPLAINT_DISMISSED, now=days.at(decided_on, 15))
        if verified:
            settle(ctx.agency, decided_on, days)


@dataclass(frozen=True)
class Refusal:
    """The agency is offered a job directly and declines it: `abandon`, and a suspension from that day."""

    ago: int
    owner: int | None = None

    def run(self, ctx: Context) -> None:
        from projects.services import refuse_selection

        days = ctx.days
        start = days.back(self.ago)
        owner = ctx.owner(self.owner)
        _project, registration = offer_directly(days, agency=ctx.agency, owner=owner, service=ctx.service,
                                                title=ctx.title(owner), start=start)
        refuse_selection(by=admin_of(ctx.agency.organisation), registration=registration, reason=REFUSAL_REASON,
                         now=days.at(start, 14))
        settle(ctx.agency, start, days)


@dataclass(frozen=True)
class Recorded:
    """A regulator's decision (penalty, violation, fraud, award) with its document; fraud waits for a second
    regulator of the same body. A penalty may be repaired later."""

    ago: int
    code: str
    repair: str = ""  # approved | pending

    def run(self, ctx: Context) -> None:
        from ratings.enforcement import confirm_decision, needs_second_regulator, record_decision

        days = ctx.days
        day = days.back(self.ago)
        document, basis, summary = DECISIONS[self.code]
        body, department = ctx.body(), ctx.department
        number = document.format(dept=SHORT.get(department.name, department.name[:2]), year=day.year, n=ctx.number())
        deciding = AWARDING_BODIES.get(self.code, body.name).format(region=ctx.agency.region.name)
        decision = record_decision(
            agency=ctx.agency, by=ctx.regulator(), code=self.code, decided_on=day, deciding_body=deciding,
            document_number=number, legal_basis=basis, summary=summary.format(year=day.year - 1),
            files=[pdf("决定书.pdf")], department=department, organisation=body, today=day, now=days.at(day, 10))
        if needs_second_regulator(self.code):
            decision = confirm_decision(decision=decision, by=ctx.reviewer(), note=CONFIRM_NOTE,
                                        now=days.at(day, 16))
        settle(ctx.agency, day, days)
        if self.repair:
            self._repair(ctx, decision.event, day)

    def _repair(self, ctx: Context, event, day: dt.date) -> None:
        from marketplace.policy import current_policy
        from ratings.scoring import repair_allowed_from
        from ratings.services import apply_repair, decide_repair

        days = ctx.days
        applied_on = days.after(repair_allowed_from(day, safety_related=False, policy=current_policy()), 2)
        application = apply_repair(event=event, by=admin_of(ctx.agency.organisation), reason=REPAIR_REASON,
                                   today=applied_on)
        if self.repair == "approved":
            decided_on = days.after(applied_on, 5)
            decide_repair(application=application, by=ctx.regulator(), approved=True, note=REPAIR_APPROVED,
                          now=days.at(decided_on, 10))
            settle(ctx.agency, decided_on, days)


# agency<n> → its history, oldest first. Scores as of today are in the comments (base 100).
STORIES: dict[int, list] = {
    1: [Job(200), Job(120, SATISFIED_PLAIN, late=2, owner=0), Recorded(40, "award_county")],  # 99 A
    2: [Job(90, BASIC, appeal="rejected")],  # 98 A: an appeal rejected
    3: [Job(150, UNSATISFIED, appeal="upheld"), Job(60)],  # 100 A: an appeal upheld, the deduction voided
    4: [Job(160, BASIC, late=7)],  # 93 A: overdue_major and 基本满意
    5: [Recorded(180, "penalty_general", repair="approved")],  # 100 A: a penalty repaired
    6: [Job(170, complaint="verified"), Recorded(80, "violation")],  # 75 C
    7: [Refusal(150), Job(60, BASIC)],  # 88 B: abandon, suspended for 3 months (ended)
    8: [Recorded(110, "violation"), Recorded(70, "violation"), Job(55, UNSATISFIED)],  # 55 D: suspended
    9: [Recorded(45, "fraud")],  # D: removed and blacklisted for fraud
    10: [Job(150, BASIC, late=3), Recorded(50, "award_city")],  # 98 A
    11: [Job(160, complaint="verified"), Job(80, SATISFIED_PLAIN, complaint="dismissed")],  # 95 A
    12: [Recorded(100, "penalty_general", repair="pending")],  # 90 A: repair applied, awaiting the regulator
    13: [Job(140)],  # 100 A, no ledger line
    14: [Job(130, BASIC, late=2)],  # 96 A
    15: [Job(22, BASIC, appeal="pending")],  # 100 A: the deduction waits for the appeal
    16: [Job(150, UNSATISFIED), Recorded(60, "award_province")],  # 98 A
    17: [Job(40, None, late=1)],  # 98 A: left unrated, automatic 满意 after the deadline
    18: [Job(290, late=7)],  # 100 A: an overdue_major older than the 12-month window
    19: [Job(120, UNSATISFIED, complaint="verified")],  # 90 A
    20: [Job(170, BASIC)],  # 98 A
    21: [Job(16, None, owner=0)],  # 100 A: accepted days ago, the owner's rating is due
}


def _serials(rng: random.Random) -> Iterator[int]:
    n = rng.randint(5, 20)
    while True:
        n += rng.randint(1, 6)
        yield n


def replay(*, rng: random.Random, today: dt.date, codes: list[str]) -> None:
    """Play every story whose agency exists (agency<n> offers codes[(n - 1) % len(codes)])."""
    from agencies.models import Agency

    days = Days(today)
    serials = _serials(rng)
    owners = list(Organisation.objects.filter(kind=Organisation.Kind.OWNER).order_by("id"))
    if not owners:
        return
    for number, steps in STORIES.items():
        agency = Agency.objects.filter(organisation__memberships__user__email=f"agency{number}@demo.zjcs.cn").first()
        if agency is None:
            continue
        ctx = Context(days=days, rng=rng, agency=agency, service=codes[(number - 1) % len(codes)], owners=owners,
                      serials=serials)
        for step in steps:
            step.run(ctx)


def settle_all(*, today: dt.date) -> None:
    """Bring the demo up to today: overdue ratings, ended suspensions, then every agency's credit."""
    from django.utils import timezone

    from agencies.models import Agency
    from ratings.recompute import recompute_all
    from ratings.services import expire_sanctions, recompute_agency, sweep_overdue_ratings

    now = timezone.now()
    sweep_overdue_ratings(today=today, now=now)
    expire_sanctions(today=today)
    touched = Agency.objects.filter(Q(credit_events__isnull=False) | Q(ratings__isnull=False)).distinct()
    for agency in touched.order_by("id"):
        recompute_agency(agency, as_of=today, now=now)
    recompute_all(as_of=today, now=now)
