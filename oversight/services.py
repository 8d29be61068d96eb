"""A regulator's decisions on a risk flag: mark it under review, dismiss it with a reason, or open a case by
recording an enforcement decision (`ratings.enforcement.record_decision`) that the flag then links. Each is
audited; the permission is `oversight.decide_flag` (the flag in the regulator's scope)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from marketplace import audit
from marketplace.permissions import require
from oversight import events
from oversight.models import RiskFlag
from oversight.states import FLAG
from ratings import enforcement

REASON_MIN = 10


def _locked(flag: RiskFlag, by, name: str) -> RiskFlag:
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    require(by, "oversight.decide_flag", flag)
    FLAG.target(flag, name)
    return flag


def _decided(flag: RiskFlag, by, name: str, reason: str, now: dt.datetime, fields=()) -> RiskFlag:
    moved = FLAG.advance(flag, name, now=now)
    flag.decided_by, flag.decided_at, flag.decision_reason = by, now, reason
    flag.save(update_fields=[*moved, "decided_by", "decided_at", "decision_reason", *fields])
    return flag


def _data(flag: RiskFlag, **extra) -> dict:
    return {"flag": flag.pk, "kind": flag.kind, "subject": flag.subject, **extra}


@transaction.atomic
def mark_reviewing(*, flag: RiskFlag, by, note: str = "", now: dt.datetime | None = None) -> RiskFlag:
    now = now or timezone.now()
    flag = _locked(flag, by, "review")
    flag = _decided(flag, by, "review", (note or "").strip(), now)
    audit.record(action=events.FLAG_REVIEWING.action, by=by, obj=flag, now=now, data=_data(flag),
                 reason=flag.decision_reason)
    return flag


@transaction.atomic
def dismiss(*, flag: RiskFlag, by, reason: str, now: dt.datetime | None = None) -> RiskFlag:
    """Dismiss with a written reason (at least REASON_MIN characters); a re-scan keeps it dismissed."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(f"排除理由至少{REASON_MIN}个字 / the reason needs at least {REASON_MIN} characters")
    flag = _locked(flag, by, "dismiss")
    flag = _decided(flag, by, "dismiss", reason, now)
    audit.record(action=events.FLAG_DISMISSED.action, by=by, obj=flag, now=now, data=_data(flag), reason=reason)
    return flag


def case_agencies(flag: RiskFlag) -> list[Agency]:
    """The agencies a case about this flag may concern: the flag's agency and those its evidence names."""
    ids = {flag.agency_id} | {r["id"] for r in flag.refs if r.get("type") == "agency"}
    return list(Agency.objects.filter(pk__in=[i for i in ids if i]).order_by("name"))


@transaction.atomic
def open_case(*, flag: RiskFlag, by, agency: Agency, decision: dict, files, now: dt.datetime | None = None,
              today: dt.date | None = None) -> RiskFlag:
    """Escalate: record an enforcement decision against one of the flag's agencies (its rules, its second-
    regulator confirmation) and link it; the flag becomes a case."""
    now = now or timezone.now()
    flag = _locked(flag, by, "open_case")
    if agency.pk not in {a.pk for a in case_agencies(flag)}:
        raise ValidationError("该机构不在此风险线索的证据中 / that agency is not named by this flag")
    record = enforcement.record_decision(agency=agency, by=by, files=files, now=now, today=today, **decision)
    flag.enforcement = record
    flag = _decided(flag, by, "open_case", record.summary, now, fields=["enforcement"])
    audit.record(action=events.CASE_OPENED.action, by=by, obj=flag, now=now,
                 data=_data(flag, decision=record.pk, agency=agency.pk), reason=record.summary)
    return flag
