"""The audit chain: one `record(...)` entry point for every state change, and its verifier.

Each entry's hash is SHA-256 over the canonical JSON of its content plus the previous entry's hash,
so changing, removing or reordering any entry breaks every hash after it. Writers lock the single
`AuditHead` row, which serialises them and keeps the chain linear under concurrency.

Audit actions double as the marketplace's event stream: `subscribe(action, handler)` registers a
handler that runs after the surrounding transaction commits (search indexing, CMS notices). This
keeps the dependency arrows pointing one way: the CMS and search listen, the apps never import them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
_subscribers: dict[str, list[Callable[..., None]]] = defaultdict(list)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def normalise(data: dict | None) -> dict:
    """Round-trip through canonical JSON so what is hashed is exactly what the JSON column stores."""
    return json.loads(canonical_json(data or {}))


def entry_hash(*, prev_hash: str, created_at: dt.datetime, actor_id, organisation_id, action: str,
               object_type: str, object_id: str, data: dict, reason: str) -> str:
    payload = {
        "prev": prev_hash,
        "at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "org": organisation_id,
        "action": action,
        "type": object_type,
        "id": object_id,
        "data": data,
        "reason": reason,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def record(*, action: str, by=None, obj: models.Model | None = None, organisation=None,
           data: dict | None = None, reason: str = "", now: dt.datetime | None = None):
    """Append one audit entry (who, when, what, why) and schedule the action's subscribers on commit.

    `by` is the acting user (None for the system: sweeps, imports, automatic outcomes).
    """
    from marketplace.models import AuditEntry, AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        head = AuditHead.objects.select_for_update().get(pk=1)
    created_at = now or timezone.now()
    object_type, object_id = object_ref(obj)
    clean = normalise(data)
    actor_id = getattr(by, "pk", None)
    org_id = getattr(organisation, "pk", organisation)
    digest = entry_hash(prev_hash=head.last_hash, created_at=created_at, actor_id=actor_id,
                        organisation_id=org_id, action=action, object_type=object_type,
                        object_id=object_id, data=clean, reason=reason or "")
    entry = AuditEntry.objects.create(
        created_at=created_at, actor_id=actor_id, actor_repr=str(by) if by else "system",
        organisation_id=org_id, action=action, object_type=object_type, object_id=object_id,
        data=clean, reason=reason or "", prev_hash=head.last_hash, hash=digest,
    )
    AuditHead.objects.filter(pk=1).update(last_hash=digest, count=models.F("count") + 1)
    _dispatch(entry)
    return entry


def subscribe(action: str, handler: Callable[..., None]) -> None:
    """Run `handler(entry)` after commit whenever `action` is recorded (`"*"` for every action).

    Handlers receive the saved AuditEntry; a failing handler is logged and never undoes the change.
    """
    if handler not in _subscribers[action]:
        _subscribers[action].append(handler)


def _dispatch(entry) -> None:
    handlers = list(_subscribers.get(entry.action, ())) + list(_subscribers.get("*", ()))
    for handler in handlers:
        def run(handler=handler, entry=entry):
            try:
                handler(entry)
            except Exception:  # a listener must never break the write that triggered it
                logger.exception("audit subscriber %r failed for %s", handler, entry)

        transaction.on_commit(run)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def verify_chain(entries: Iterable | None = None) -> ChainProblem | None:
    """Walk the chain in id order; return the first broken entry, or None when all is intact."""
    from marketplace.models import AuditEntry, AuditHead

    prev = GENESIS
    last_id = 0
    count = 0
    qs = entries if entries is not None else AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    for entry in qs:
        count += 1
        if entry.prev_hash != prev:
            return ChainProblem(entry.pk, "prev_hash does not match the previous entry (removed or reordered)")
        expected = entry_hash(prev_hash=entry.prev_hash, created_at=entry.created_at, actor_id=entry.actor_id,
                              organisation_id=entry.organisation_id, action=entry.action,
                              object_type=entry.object_type, object_id=entry.object_id,
                              data=entry.data, reason=entry.reason)
        if expected != entry.hash:
            return ChainProblem(entry.pk, "content does not match its hash (entry was changed)")
        prev = entry.hash
        last_id = entry.pk
    if entries is None:
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and (head.last_hash != prev or head.count != count):
            return ChainProblem(last_id, "chain head does not match the last entry (entries were deleted)")
    return None


def history(obj: models.Model):
    """Audit entries about one object, oldest first."""
    from marketplace.models import AuditEntry

    object_type, object_id = object_ref(obj)
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).select_related("actor").order_by("id")
