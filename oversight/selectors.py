"""Reads of the risk workspace: the flags in a regulator's scope, filtered, and their counts."""

from __future__ import annotations

from collections import Counter

from oversight.models import RiskFlag
from oversight.permissions import covers


def flags_in_scope(user, *, kind: str = "", severity: str = "", status: str = "") -> list[RiskFlag]:
    """Flags the user's regulator scope covers, newest first (scope is checked per flag by the one scope rule)."""
    qs = RiskFlag.objects.select_related("project", "agency", "owner", "region", "enforcement")
    if kind:
        qs = qs.filter(kind=kind)
    if severity:
        qs = qs.filter(severity=severity)
    if status:
        qs = qs.filter(status=status)
    return [flag for flag in qs.order_by("-last_seen_on", "-id") if covers(user, flag)]


def open_counts(user) -> dict[str, int]:
    """Open and under-review flags in scope, by severity."""
    active = flags_in_scope(user, status="")
    counts = Counter(f.severity for f in active if f.status in (RiskFlag.Status.OPEN, RiskFlag.Status.REVIEWING))
    return {s: counts.get(s, 0) for s in RiskFlag.Severity.values}
