"""The credit engine (扣分制, docs/rules.md §9) as pure functions over plain data.

Production (`ratings.services.recompute_agency`), the set-based nightly recomputation (which must
agree with it, see tests), the agency's page, the explain API and the regulator's what-if all run
these functions. Nothing here queries the database; the date (`as_of`) and the `Policy` are arguments.

Score at D = max(0, base − deductions + min(bonuses, cap)) over events with
D − window_months < event date ≤ D, month arithmetic clamping to the month end. Only state
`counted` scores; `repaired` keeps its line but deducts nothing; `appeal_pending` and `voided`
do not count, nor does a `correction` line (it records who voided which line, and why). A counted forcing code (`fraud`, `serious_dishonesty`) inside the window forces D.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

COUNTED = "counted"
APPEAL_PENDING = "appeal_pending"
VOIDED = "voided"
REPAIRED = "repaired"
CORRECTION = "correction"
STATES = (COUNTED, APPEAL_PENDING, VOIDED, REPAIRED, CORRECTION)

GRADE_ORDER = ("A", "B", "C", "D")


# ---- month arithmetic ---------------------------------------------------------------------------


def add_months(d: dt.date, n: int) -> dt.date:
    """`d` moved by `n` calendar months (negative goes back); a day past the target month's end clamps to it."""
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(d.day, last))


def months_before(d: dt.date, n: int) -> dt.date:
    """`d` minus `n` months, clamped to the month end (2025-03-31 minus 1 month → 2025-02-28)."""
    return add_months(d, -n)


def window_start(as_of: dt.date, policy) -> dt.date:
    """The exclusive lower bound of the scoring window: events dated after it (and ≤ as_of) count."""
    return months_before(as_of, int(policy["credit_window_months"]))


# ---- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One ledger line as plain data. `ref` is an opaque identifier (the CreditEvent id) for display."""

    code: str
    date: dt.date
    state: str = COUNTED
    cause: str = ""
    ref: Any = None
    agency: str = ""

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Event:
        """Build from a dict such as a credit_simulate line: {"code", "date", "state"?, "agency"?}."""
        date = row["date"]
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        state = row.get("state") or COUNTED
        return cls(code=str(row["code"]), date=date, state=str(state), cause=str(row.get("cause", "")),
                   ref=row.get("ref", row.get("id")), agency=str(row.get("agency", "")))


@dataclass(frozen=True)
class Line:
    """How one event was treated: `points` is its signed effect before the bonus cap (0 when not counted)."""

    code: str
    date: dt.date
    state: str
    kind: str  # deduction | bonus | forcing | unknown
    points: int
    counted: bool
    note: str
    cause: str = ""
    ref: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "date": self.date.isoformat(), "state": self.state, "kind": self.kind,
                "points": self.points, "counted": self.counted, "note": self.note, "cause": self.cause,
                "ref": self.ref}


@dataclass(frozen=True)
class CreditResult:
    score: int
    grade: str
    forced: bool
    as_of: dt.date
    window_start: dt.date
    deductions: int
    bonuses: int
    bonus_applied: int
    policy_version: int
    lines: list[Line] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "grade": self.grade, "forced": self.forced, "as_of": self.as_of.isoformat(),
                "window_start": self.window_start.isoformat(), "deductions": self.deductions,
                "bonuses": self.bonuses, "bonus_applied": self.bonus_applied,
                "policy_version": self.policy_version, "lines": [ln.as_dict() for ln in self.lines]}


# ---- the score ----------------------------------------------------------------------------------


def classify(code: str, policy) -> tuple[str, int]:
    """(kind, points) of a code under `policy`; kind is deduction, bonus, forcing or unknown."""
    deductions = policy["credit_deductions"]
    bonuses = policy["credit_bonuses"]
    if code in deductions:
        return "deduction", int(deductions[code])
    if code in bonuses:
        return "bonus", int(bonuses[code])
    if code in policy["credit_forcing_codes"]:
        return "forcing", 0
    return "unknown", 0


def grade_for(score: int, policy, *, forced: bool = False) -> str:
    """A ≥ grades.A, B ≥ grades.B, C ≥ grades.C, else D; a forcing event makes it D whatever the score."""
    if forced:
        return "D"
    thresholds = policy["credit_grades"]
    for grade in ("A", "B", "C"):
        if score >= int(thresholds[grade]):
            return grade
    return "D"


def score(events: Iterable[Event | Mapping[str, Any]], *, as_of: dt.date, policy) -> CreditResult:
    """The agency's score, grade and forced flag at `as_of`, with one explaining line per event."""
    start = window_start(as_of, policy)
    deductions = bonuses = 0
    forced = False
    lines: list[Line] = []
    items = [e if isinstance(e, Event) else Event.from_mapping(e) for e in events]
    for e in sorted(items, key=lambda x: (x.date, x.code)):
        kind, points = classify(e.code, policy)
        if kind == "unknown":
            raise ValueError(f"未知的信用事项 / unknown credit event code: {e.code}")
        if e.state not in STATES:
            raise ValueError(f"未知的状态 / unknown credit event state: {e.state}")
        signed = -points if kind == "deduction" else points
        if e.date > as_of:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "晚于计算日 / after the date", e.cause, e.ref))
            continue
        if e.date <= start:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "已移出计分周期 / outside the window",
                              e.cause, e.ref))
            continue
        if e.state == APPEAL_PENDING:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "申诉中，暂不计分 / appeal pending", e.cause, e.ref))
            continue
        if e.state == VOIDED:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "已撤销 / voided", e.cause, e.ref))
            continue
        if e.state == REPAIRED:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "已修复，不扣分 / repaired, no deduction",
                              e.cause, e.ref))
            continue
        if e.state == CORRECTION:
            lines.append(Line(e.code, e.date, e.state, kind, 0, False, "更正记录，撤销原记录 / correction voiding a line",
                              e.cause, e.ref))
            continue
        if kind == "deduction":
            deductions += points
            note = f"扣 {points} 分 / −{points}"
        elif kind == "bonus":
            bonuses += points
            note = f"加 {points} 分 / +{points}"
        else:
            forced = True
            note = "强制评为D级 / forces grade D"
        lines.append(Line(e.code, e.date, e.state, kind, signed, True, note, e.cause, e.ref))
    cap = int(policy["credit_bonus_cap"])
    bonus_applied = min(bonuses, cap)
    total = max(0, int(policy["credit_base"]) - deductions + bonus_applied)
    return CreditResult(score=total, grade=grade_for(total, policy, forced=forced), forced=forced, as_of=as_of,
                        window_start=start, deductions=deductions, bonuses=bonuses, bonus_applied=bonus_applied,
                        policy_version=int(getattr(policy, "version", 0)), lines=lines)


# ---- consequences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionSpec:
    kind: str  # suspend_d | suspend_abandon | removal | blacklist
    starts_on: dt.date
    ends_on: dt.date | None  # None: permanent (removal)
    cause: str

    def in_force(self, on: dt.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on < self.ends_on)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "starts_on": self.starts_on.isoformat(),
                "ends_on": self.ends_on.isoformat() if self.ends_on else None, "cause": self.cause}


def d_entries(history: Iterable[tuple[dt.date, str]]) -> list[dt.date]:
    """Dates on which the grade became D (from any other grade or from nothing)."""
    out, previous = [], None
    for item in sorted(history, key=lambda x: x[0]):
        day, grade = item[0], item[1]
        if grade == "D" and previous != "D":
            out.append(day)
        previous = grade
    return out


def sanctions(grades: Iterable[tuple], events: Iterable[Event], *, as_of: dt.date, policy) -> list[SanctionSpec]:
    """Every sanction the history calls for up to `as_of` (call `.in_force(as_of)` to filter).

    `grades` is the agency's grade history as (date, grade, ...) tuples; `events` its ledger.
    D suspends for sanction_d_suspend_months from the grade date; a counted `abandon` suspends for
    sanction_abandon_suspend_months from its date; a second D within sanction_second_d_window_months
    of an earlier one, or a counted `fraud`, removes the agency and blacklists it for
    sanction_blacklist_years.
    """
    out: list[SanctionSpec] = []
    d_months = int(policy["sanction_d_suspend_months"])
    window = int(policy["sanction_second_d_window_months"])
    years = int(policy["sanction_blacklist_years"])
    entries = [d for d in d_entries(grades) if d <= as_of]
    for i, day in enumerate(entries):
        out.append(SanctionSpec("suspend_d", day, add_months(day, d_months), f"信用等级D / grade D on {day}"))
        earlier = [p for p in entries[:i] if p > months_before(day, window)]
        if earlier:
            cause = f"{window}个月内第二次D级 / second D within {window} months ({earlier[-1]}, {day})"
            out.append(SanctionSpec("removal", day, None, cause))
            out.append(SanctionSpec("blacklist", day, add_months(day, years * 12), cause))
    for e in events:
        if e.state != COUNTED or e.date > as_of:
            continue
        if e.code == "abandon":
            out.append(SanctionSpec("suspend_abandon", e.date,
                                    add_months(e.date, int(policy["sanction_abandon_suspend_months"])),
                                    f"放弃中选 / abandon on {e.date}"))
        elif e.code == "fraud":
            cause = f"提供虚假材料 / fraud on {e.date}"
            out.append(SanctionSpec("removal", e.date, None, cause))
            out.append(SanctionSpec("blacklist", e.date, add_months(e.date, years * 12), cause))
    # One removal/blacklist is enough: keep the earliest of each (kind, starts_on) and drop duplicates.
    seen: set[tuple[str, dt.date]] = set()
    unique = []
    for s in sorted(out, key=lambda s: (s.starts_on, s.kind)):
        if (s.kind, s.starts_on) not in seen:
            seen.add((s.kind, s.starts_on))
            unique.append(s)
    return unique


def in_force(specs: Iterable[SanctionSpec], on: dt.date) -> list[SanctionSpec]:
    return [s for s in specs if s.in_force(on)]


def simulate(rows: Iterable[Mapping[str, Any]], *, as_of: dt.date, policy) -> dict[str, dict[str, Any]]:
    """credit_simulate's core: {"<uscc>": {"score", "grade", "forced"}} for rows tagged with "agency"."""
    by_agency: dict[str, list[Event]] = {}
    for row in rows:
        if "agency" not in row or not row["agency"]:
            raise ValueError("每条记录须有 agency / every event needs an \"agency\"")
        e = Event.from_mapping(row)
        by_agency.setdefault(e.agency, []).append(e)
    out = {}
    for uscc in sorted(by_agency):
        r = score(by_agency[uscc], as_of=as_of, policy=policy)
        out[uscc] = {"score": r.score, "grade": r.grade, "forced": r.forced}
    return out


def repair_allowed_from(event_date: dt.date, *, safety_related: bool, policy) -> dt.date:
    """First date an administrative penalty may be repaired (after its minimum publicity)."""
    months = int(policy["repair_min_publicity_months_safety"] if safety_related
                 else policy["repair_min_publicity_months"])
    return add_months(event_date, months)


REPAIRABLE_CODES = frozenset({"penalty_general"})


def rating_result(scores: Sequence[int], policy):
    """(mean as Decimal with 2 places, result) for five 1–5 scores: 满意 / 基本满意 / 不满意."""
    from decimal import ROUND_HALF_UP, Decimal

    if len(scores) != 5 or any(not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 5 for s in scores):
        raise ValueError("五项评分均须为1至5的整数 / all five scores must be whole numbers from 1 to 5")
    mean = (Decimal(sum(scores)) / Decimal(5)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if mean >= policy["rating_satisfied_min"]:
        return mean, "满意"
    if mean >= policy["rating_basic_min"]:
        return mean, "基本满意"
    return mean, "不满意"
