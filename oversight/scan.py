"""The risk scan: runs every indicator as of a day and stores what it found as flags (idempotent).

A finding already stored under its key is refreshed (evidence, severity, last seen), never duplicated, and
keeps the regulator's decision; a new one becomes an open flag with one `oversight.flag_raised` entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from marketplace import audit
from marketplace.policy import Policy, current_policy
from oversight import events
from oversight.findings import Finding, Window
from oversight.indicators import INDICATORS
from oversight.models import RiskFlag

CONTENT = ["kind", "subject_type", "subject", "project_id", "agency_id", "owner_id", "region_id", "departments",
           "severity", "metrics", "evidence", "refs", "policy_version"]


@dataclass(frozen=True)
class ScanResult:
    as_of: dt.date
    findings: list[Finding]
    new: int


def find(*, as_of: dt.date, policy: Policy | None = None, kinds=None) -> list[Finding]:
    """Every finding of the named indicators (all by default) as of `as_of`, without storing anything."""
    window = Window(as_of=as_of, policy=policy or current_policy())
    unknown = set(kinds or ()) - set(INDICATORS)
    if unknown:
        raise KeyError(f"未知的风险类型 / unknown indicators: {', '.join(sorted(unknown))}")
    out: list[Finding] = []
    with transaction.atomic():
        tune_session()
        for kind, indicator in INDICATORS.items():
            if not kinds or kind in kinds:
                out += indicator(window)
    return out


def tune_session() -> None:
    """PostgreSQL settings for this transaction only: no JIT (at a million registrations the planner compiles
    every indicator's query, which costs more than running it: seconds per query) and enough `work_mem` for
    the aggregates and the window sort to stay in memory (`RISK_SCAN_WORK_MEM`, default 64MB)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                       [getattr(settings, "RISK_SCAN_WORK_MEM", "64MB")])


def _row(f: Finding, as_of: dt.date, version: int | None) -> RiskFlag:
    return RiskFlag(key=f.key[:200], kind=f.kind, subject_type=f.subject_type, subject=f.subject, project_id=f.project_id,
                    agency_id=f.agency_id, owner_id=f.owner_id, region_id=f.region_id,
                    departments=[d for d in f.departments if d is not None], severity=f.severity,
                    metrics=audit.normalise(f.metrics), evidence=f.evidence, refs=f.refs, first_seen_on=as_of,
                    last_seen_on=as_of, policy_version=version)


@transaction.atomic
def run_scan(*, as_of: dt.date | None = None, now: dt.datetime | None = None, policy: Policy | None = None,
             by=None) -> ScanResult:
    """Scan as of `as_of` (default today) and store the flags; returns the findings and how many are new."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    policy = policy or current_policy()
    findings = find(as_of=as_of, policy=policy)
    rows = {f.key[:200]: _row(f, as_of, policy.version) for f in findings}
    existing = {flag.key: flag for flag in RiskFlag.objects.select_for_update().filter(key__in=list(rows))}
    fresh = [row for key, row in rows.items() if key not in existing]
    changed = []
    for key, flag in existing.items():
        row = rows[key]
        if any(getattr(flag, name) != getattr(row, name) for name in CONTENT):
            for name in CONTENT:
                setattr(flag, name, getattr(row, name))
            changed.append(flag)
    # A steady night changes little: one UPDATE moves "last seen", only changed findings are rewritten.
    RiskFlag.objects.filter(pk__in=[f.pk for f in existing.values()], last_seen_on__lt=as_of).update(
        last_seen_on=as_of)
    RiskFlag.objects.bulk_update(changed, CONTENT, batch_size=500)
    RiskFlag.objects.bulk_create(fresh, batch_size=500)
    fresh = list(RiskFlag.objects.filter(key__in=[row.key for row in fresh]))
    audit.record_many(({"action": events.FLAG_RAISED.action, "by": by, "obj": flag,
                        "data": {"flag": flag.pk, "kind": flag.kind, "subject": flag.subject,
                                 "severity": flag.severity}} for flag in fresh), now=now)
    audit.record(action=events.SCAN_RUN.action, by=by, now=now,
                 data={"as_of": as_of.isoformat(), "found": len(rows), "new": len(fresh),
                       "policy_version": policy.version})
    return ScanResult(as_of=as_of, findings=findings, new=len(fresh))
