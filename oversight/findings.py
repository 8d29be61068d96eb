"""What an indicator returns: plain findings, stored as flags by `oversight.scan`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from marketplace.policy import Policy


@dataclass
class Finding:
    kind: str
    key: str  # kind + subject + what matched: the same finding on a re-scan has the same key
    subject_type: str  # project | agency | owner
    subject: str  # a posting code, a USCC or an owner organisation id
    severity: str
    evidence: list[str]
    metrics: dict = field(default_factory=dict)
    refs: list[dict] = field(default_factory=list)
    project_id: int | None = None
    agency_id: int | None = None
    owner_id: int | None = None
    region_id: str | None = None
    departments: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "subject_type": self.subject_type,
                "severity": self.severity, "evidence": self.evidence}


@dataclass(frozen=True)
class Window:
    """The period a scan looks at: `risk_lookback_days` days up to the end of `as_of` (local time)."""

    as_of: dt.date
    policy: Policy

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time()))

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(days=self.policy["risk_lookback_days"])

    @property
    def start_date(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.policy["risk_lookback_days"] - 1)


def ref(kind: str, pk, label: str) -> dict:
    return {"type": kind, "id": pk, "label": label}
