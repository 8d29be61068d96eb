"""`owner_delay`: the share of an owner's own steps that ran past their deadline: the first materials and each
补正 supply (`materials_supply_wd`), deciding on a deliverable (`deliverable_decision_wd`) and the rating
(`rating_deadline_wd`; an automatic rating means the owner let it lapse)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache

from django.db.models import Count, F, Q

from marketplace.models import Organisation
from marketplace.workdays import get_calendar
from oversight.findings import Finding, Window, ref
from oversight.rules import ratio_severity
from projects.delivery.models import ClockPause, Deliverable, ServiceJob

LABELS = {"materials": "提供资料", "supply": "补正资料", "acceptance": "成果验收", "rating": "服务评价"}


def _steps(window: Window):
    """(owner, step, started on, done on or None, limit in working days) of the owner-side steps begun in the window."""
    policy, since, until = window.policy, window.start_date, window.as_of
    supply, decide = policy["materials_supply_wd"], policy["deliverable_decision_wd"]
    for owner, start, done in ServiceJob.objects.filter(contract_signed_on__range=(since, until)).values_list(
            "project__owner_id", "contract_signed_on", "materials_complete_on"):
        yield owner, "materials", start, done, supply
    for owner, start, done in ClockPause.objects.filter(requested_on__range=(since, until)).values_list(
            "job__project__owner_id", "requested_on", "supplied_on"):
        yield owner, "supply", start, done, supply
    for owner, start, done in Deliverable.objects.filter(submitted_on__range=(since, until)).values_list(
            "job__project__owner_id", "submitted_on", "decided_on"):
        yield owner, "acceptance", start, done, decide


def _rating_counts(window: Window) -> dict[int, tuple[int, int]]:
    """owner → (ratings due in the window, ratings late or left to lapse), counted in SQL."""
    from ratings.models import Rating

    late = Q(automatic=True) | Q(rated_on__gt=F("due_on")) | Q(result="", due_on__lt=window.as_of)
    rows = (Rating.objects.filter(accepted_on__range=(window.start_date, window.as_of)).values("owner_id")
            .annotate(n=Count("id"), late=Count("id", filter=late)))
    return {r["owner_id"]: (r["n"], r["late"]) for r in rows}


def owner_delay(window: Window) -> list[Finding]:
    calendar = get_calendar()

    @lru_cache(maxsize=4096)
    def due(start: dt.date, wd: int) -> dt.date:
        d = calendar.add_working_days(start, wd)
        return dt.date(d.year, d.month, d.day)

    total, late, by_step = Counter(), Counter(), Counter()
    for owner, step, start, done, wd in _steps(window):
        total[owner] += 1
        if (done or window.as_of) > due(start, wd):
            late[owner] += 1
            by_step[owner, step] += 1
    for owner, (n, overdue) in _rating_counts(window).items():
        total[owner] += n
        late[owner] += overdue
        by_step[owner, "rating"] += overdue
    policy = window.policy
    share_min, steps_min = float(policy["risk_owner_delay_share"]), policy["risk_owner_delay_min_steps"]
    hits = [o for o in total if total[o] >= steps_min and late[o] / total[o] >= share_min and late[o]]
    owners = {o.pk: o for o in Organisation.objects.filter(pk__in=hits).only("id", "name", "region_id")}
    out = []
    for owner_id in hits:
        owner, share = owners[owner_id], late[owner_id] / total[owner_id]
        detail = "，".join(f"{LABELS[s]}{by_step[owner_id, s]}次" for s in LABELS if by_step[owner_id, s])
        out.append(Finding(
            kind="owner_delay", key=f"owner_delay:{owner_id}", subject_type="owner", subject=str(owner_id),
            severity=ratio_severity(share, share_min), owner_id=owner_id, region_id=owner.region_id,
            metrics={"steps": total[owner_id], "late": late[owner_id], "share": round(share, 4)},
            evidence=[f"{owner.name}近{policy['risk_lookback_days']}天应由业主办理的{total[owner_id]}个环节中，"
                      f"{late[owner_id]}个逾期（{share:.0%}，阈值{share_min:.0%}）", f"逾期环节：{detail}"],
            refs=[ref("owner", owner_id, owner.name)]))
    return out
