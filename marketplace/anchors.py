"""Published anchors of the audit chain: reading them back and checking the chain against them.

Once a day the periodic job `marketplace.audit_anchor` records the chain head (entry number, hash,
chain length, date) as an `AuditAnchor` row and an audit entry (`marketplace.audit.anchor`); the CMS
publishes it as a public notice and `GET /api/audit/anchors` serves every anchor as JSON. Anyone may
keep copies. `manage.py verify_audit --anchors [FILE|URL]` then catches what the chain alone cannot:

- the table truncated, or its tail deleted and the head row moved back: an anchored entry is missing,
  or the chain is shorter than an anchor says;
- an entry rewritten and every hash after it recomputed: the anchored entry's hash differs.

Changes after the latest anchor are only caught by the chain itself (the head row), until the next one.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ninja import Router, Schema

router = Router(tags=["audit"])


@dataclass(frozen=True)
class Anchor:
    entry: int
    count: int
    hash: str
    date: str = ""


class AnchorOut(Schema):
    date: str
    entry: int
    count: int
    hash: str


class AnchorsOut(Schema):
    anchors: list[AnchorOut]


class AnchorSourceError(ValueError):
    pass


def published() -> list[dict]:
    """Every anchor as published (oldest first)."""
    from marketplace.models import AuditAnchor

    return [a.as_public() for a in AuditAnchor.objects.order_by("date")]


@router.get("/anchors", response=AnchorsOut, summary="审计链锚点 / published audit chain anchors")
def anchors_api(request):
    """Each day's anchor of the audit hash chain: entry number, its hash and the chain length."""
    return {"anchors": published()}


def _parse(raw) -> list[Anchor]:
    items = raw.get("anchors") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise AnchorSourceError("锚点文件格式不对 / anchors must be a JSON list or {\"anchors\": [...]}")
    try:
        return [Anchor(entry=int(i["entry"]), count=int(i.get("count", 0)), hash=str(i["hash"]),
                       date=str(i.get("date", ""))) for i in items]
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorSourceError(f"锚点格式不对 / malformed anchor: {exc}") from exc


def load(source: str | None = None) -> list[Anchor]:
    """Anchors from the database (`None` or "db"), a JSON file, or an http(s) URL serving that JSON."""
    if source in (None, "", "db"):
        return _parse(published())
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - an operator's URL
                raw = json.loads(response.read().decode("utf-8"))
        else:
            raw = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnchorSourceError(f"读不到锚点 / cannot read anchors from {source}: {exc}") from exc
    return _parse(raw)


def check(anchors: list[Anchor]) -> list[str]:
    """What in the stored chain contradicts the published anchors (empty when all agree)."""
    from marketplace.models import AuditEntry

    problems = []
    wanted = {a.entry for a in anchors}
    stored = dict(AuditEntry.objects.filter(pk__in=wanted).values_list("pk", "hash"))
    for a in sorted(anchors, key=lambda a: a.entry):
        label = f"anchor {a.date or '?'} (entry #{a.entry})"
        if a.entry not in stored:
            problems.append(f"{label}: the anchored entry is missing (table truncated or its tail deleted)")
        elif stored[a.entry] != a.hash:
            problems.append(f"{label}: the entry's hash differs from the published one (chain rewritten)")
        elif a.count and AuditEntry.objects.filter(pk__lte=a.entry).count() != a.count:
            problems.append(f"{label}: the chain up to the entry no longer has {a.count} entries")
    return problems
