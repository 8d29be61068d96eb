"""Who may take part in a selection (docs/rules.md §5.4), as a pure function over plain data.

Checked at registration (the agency is refused with the reasons) and again at selection (the
excluded registrants are listed with their reasons in the result / draw record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class QualificationFacts:
    qualification_type: str
    level: int  # 1 is the highest
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class PractitionerFacts:
    kind: str
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class AgencyFacts:
    uscc: str
    status: str = "admitted"
    grade: str = "A"
    suspended_until: dt.date | None = None
    service_types: frozenset[str] = frozenset()
    qualifications: tuple[QualificationFacts, ...] = ()
    practitioners: tuple[PractitionerFacts, ...] = ()
    legal_rep_id: str = ""
    blacklisted: bool = False
    serious_dishonesty: bool = False


@dataclass(frozen=True)
class Requirements:
    service_type: str
    method: str  # the effective method: "draw" for random draws (also invitation → draw)
    qualifications: tuple[tuple[str, int], ...] = ()  # (type, minimum level; 1 is the highest)
    qual_mode: str = "all"  # "all" | "any"
    practitioners: tuple[tuple[str, int], ...] = ()  # (kind, count)
    avoided: dict[str, str] = field(default_factory=dict)  # uscc -> reason
    invited: frozenset[str] | None = None  # invitation: only these USCCs may take part


def _holds(facts: AgencyFacts, qtype: str, min_level: int, day: dt.date) -> bool:
    return any(q.qualification_type == qtype and q.level <= min_level and q.valid_on(day) for q in facts.qualifications)


def refusal_reasons(facts: AgencyFacts, req: Requirements, *, on: dt.date,
                    earlier_legal_reps: frozenset[str] | set[str] = frozenset()) -> list[Reason]:
    """Every reason the agency may not take part on `on`; an empty list means eligible.

    `earlier_legal_reps` are the legal representatives' ID numbers of registrants that registered
    before this one (the later of two registrations with the same legal representative is refused).
    """
    reasons: list[Reason] = []
    if facts.blacklisted or facts.status == "blacklisted":
        reasons.append(Reason("blacklisted", "已列入黑名单", "blacklisted"))
    elif facts.status == "removed":
        reasons.append(Reason("removed", "已被清退", "removed from the marketplace"))
    elif facts.status == "suspended" or (facts.suspended_until and facts.suspended_until > on):
        until = facts.suspended_until.isoformat() if facts.suspended_until else "—"
        reasons.append(Reason("suspended", f"暂停参与至 {until}", f"suspended until {until}"))
    elif facts.status != "admitted":
        reasons.append(Reason("not_admitted", "机构未入驻", "agency not admitted"))
    if facts.serious_dishonesty:
        reasons.append(Reason("serious_dishonesty", "列入严重失信名单", "on the serious-dishonesty list"))
    if facts.grade == "D":
        reasons.append(Reason("grade_d", "信用等级为D", "credit grade D"))
    elif facts.grade == "C" and req.method == "draw":
        reasons.append(Reason("grade_c_draw", "信用等级为C，不得参与随机抽取", "credit grade C is excluded from random draws"))
    if req.invited is not None and facts.uscc not in req.invited:
        reasons.append(Reason("not_invited", "未被邀请", "not invited"))
    if req.service_type not in facts.service_types:
        reasons.append(Reason("service", "未提供该服务事项", "does not offer this service type"))
    if req.qualifications:
        held = [_holds(facts, qtype, level, on) for qtype, level in req.qualifications]
        ok = any(held) if req.qual_mode == "any" else all(held)
        if not ok:
            missing = [f"{t}（{lvl}级及以上）" for (t, lvl), h in zip(req.qualifications, held, strict=True) if not h]
            joined = "、".join(missing)
            if req.qual_mode == "any":
                reasons.append(Reason("qualification", f"不具备任一所需资质：{joined}",
                                      "holds none of the required qualifications valid on the date"))
            else:
                reasons.append(Reason("qualification", f"缺少有效资质：{joined}",
                                      "lacks a required qualification valid on the date"))
    for kind, count in req.practitioners:
        have = sum(1 for p in facts.practitioners if p.kind == kind and (p.valid_to is None or p.valid_to >= on))
        if have < count:
            reasons.append(Reason("practitioners", f"{kind} 需 {count} 人，现有 {have} 人",
                                  f"needs {count} × {kind}, has {have}"))
    if facts.uscc in req.avoided:
        reasons.append(Reason("avoided", f"在回避名单中：{req.avoided[facts.uscc]}",
                              f"on the avoidance list: {req.avoided[facts.uscc]}"))
    if facts.legal_rep_id and facts.legal_rep_id in earlier_legal_reps:
        reasons.append(Reason("same_legal_rep", "与先报名的机构法定代表人相同",
                              "same legal representative as an earlier registrant"))
    return reasons
