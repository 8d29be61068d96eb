"""The audit chain: the only writer of audit entries (`record`, and `record_many` for bulk work) and its verifier.

Each entry's hash is SHA-256 over the canonical JSON of its content plus the previous entry's hash,
so changing, removing or reordering any entry breaks every hash after it. Writers lock the single
`AuditHead` row, which serialises them and keeps the chain linear under concurrency.

Audit actions double as the marketplace's event stream: `subscribe(action, handler)` registers a
handler that runs after the surrounding transaction commits (search indexing, CMS notices). Every
action and its payload fields are declared in an app's `events.py` (`marketplace.events`) and checked
before anything is written. This keeps the dependency arrows pointing one way: the CMS and search
listen, the apps never import them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from marketplace import events

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


HASH_VERSION = 2  # version 1 (older entries) did not hash actor_repr; both verify (docs/architecture.md)


def entry_hash(*, prev_hash: str, created_at: dt.datetime, actor_id, organisation_id, action: str,
               object_type: str, object_id: str, data: dict, reason: str, actor_repr: str = "",
               version: int = HASH_VERSION) -> str:
    """SHA-256 of the canonical JSON of an entry's stored columns and the previous hash.

    Version 2 covers every stored column (adds `actor_repr` and the version itself); version 1 is kept
    so that entries written before it still verify.
    """
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
    if version >= 2:
        payload.update({"v": version, "actor_repr": actor_repr})
    elif version != 1:
        raise ValueError(f"unknown audit hash version {version}")
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def hash_of(entry) -> str:
    """Recompute a stored entry's hash from its columns, with the version it was written under."""
    return entry_hash(prev_hash=entry.prev_hash, created_at=entry.created_at, actor_id=entry.actor_id,
                      organisation_id=entry.organisation_id, action=entry.action, object_type=entry.object_type,
                      object_id=entry.object_id, data=entry.data, reason=entry.reason,
                      actor_repr=entry.actor_repr, version=entry.hash_version)


def object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def ensure_head() -> None:
    """Create the chain-head row on an empty database (run after migrate)."""
    from marketplace.models import AuditHead

    AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})


def _lock_head():
    """Lock the single chain-head row (creating it on an empty database); writers serialise here."""
    from marketplace.models import AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ensure_head()
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _entry(spec: dict, *, prev_hash: str, created_at: dt.datetime):
    """Build one unsaved, hashed AuditEntry from a spec (the keyword arguments of `record`)."""
    from marketplace.models import AuditEntry

    action = spec["action"]
    events.validate(action, spec.get("data"))
    if "object_type" in spec:
        object_type, object_id = spec["object_type"], str(spec["object_id"])
    else:
        object_type, object_id = object_ref(spec.get("obj"))
    clean = normalise(spec.get("data"))
    by = spec.get("by")
    actor_id = getattr(by, "pk", None)
    organisation = spec.get("organisation")
    org_id = getattr(organisation, "pk", organisation)
    reason = spec.get("reason") or ""
    actor_repr = (str(by) if by else "system")[:200]
    digest = entry_hash(prev_hash=prev_hash, created_at=created_at, actor_id=actor_id, organisation_id=org_id,
                        action=action, object_type=object_type, object_id=object_id, data=clean, reason=reason,
                        actor_repr=actor_repr)
    return AuditEntry(created_at=created_at, actor_id=actor_id, actor_repr=actor_repr,
                      organisation_id=org_id, action=action, object_type=object_type, object_id=object_id,
                      data=clean, reason=reason, prev_hash=prev_hash, hash=digest, hash_version=HASH_VERSION)


@transaction.atomic
def record(*, action: str, by=None, obj: models.Model | None = None, organisation=None,
           data: dict | None = None, reason: str = "", now: dt.datetime | None = None):
    """Append one audit entry (who, when, what, why) and schedule the action's subscribers on commit.

    `by` is the acting user (None for the system: sweeps, imports, automatic outcomes). The payload is
    validated against the action's declaration (`marketplace.events`) before anything is written.
    """
    from marketplace.models import AuditHead

    head = _lock_head()
    entry = _entry({"action": action, "by": by, "obj": obj, "organisation": organisation, "data": data,
                    "reason": reason}, prev_hash=head.last_hash, created_at=now or timezone.now())
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(last_hash=entry.hash, count=models.F("count") + 1)
    dispatch(entry)
    return entry


@transaction.atomic
def record_many(entries: Iterable[dict], *, now: dt.datetime | None = None, batch_size: int = 2000) -> int:
    """Append many entries under one lock of the chain head; returns how many were written.

    Each item holds the keyword arguments of `record` (`action`, `by`, `obj` or `object_type` +
    `object_id`, `organisation`, `data`, `reason`). Entries are hashed and chained exactly as `record`
    would, written in batches (COPY on PostgreSQL), and each is dispatched to its subscribers after commit.
    """
    from marketplace.models import AuditEntry, AuditHead

    head = _lock_head()
    created_at = now or timezone.now()
    first_id = (AuditEntry.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
    prev, count, actions = head.last_hash, 0, set()
    batch: list = []
    for spec in entries:
        entry = _entry(spec, prev_hash=prev, created_at=created_at)
        prev = entry.hash
        actions.add(entry.action)
        batch.append(entry)
        if len(batch) >= batch_size:
            count += _write(batch)
            batch = []
    count += _write(batch)
    if not count:
        return 0
    AuditHead.objects.filter(pk=1).update(last_hash=prev, count=models.F("count") + count)
    if any(_subscribers.get(a) for a in actions) or _subscribers.get("*"):
        dispatch_many(list(AuditEntry.objects.filter(pk__gte=first_id).order_by("pk")))
    return count


def _write(batch: list) -> int:
    """Insert a batch of built entries in chain order (COPY on PostgreSQL)."""
    from django.db import connection

    from marketplace.models import AuditEntry

    if not batch:
        return 0
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_create(batch)
        return len(batch)
    columns = ["created_at", "actor_id", "actor_repr", "organisation_id", "action", "object_type", "object_id",
               "data", "reason", "prev_hash", "hash", "hash_version"]
    copy_sql = f"COPY {AuditEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cur, cur.cursor.copy(copy_sql) as copy:
        for e in batch:
            copy.write_row((e.created_at, e.actor_id, e.actor_repr, e.organisation_id, e.action, e.object_type,
                            e.object_id, json.dumps(e.data, ensure_ascii=False), e.reason, e.prev_hash, e.hash,
                            e.hash_version))
    return len(batch)


def subscribe(action: str, handler: Callable[..., None], *, batch: bool = False) -> None:
    """Run `handler(entry)` after commit whenever `action` is recorded (`"*"` for every action).

    `action` must be declared (`marketplace.events`); handlers receive the saved AuditEntry; a failing
    handler is logged and never undoes the change. With `batch=True` the handler receives a list of
    entries instead: all those of one `record_many` call in one list (a single `record` gives a list
    of one), which keeps bulk appends cheap for consumers such as the search index.
    """
    if action != "*":
        events.get(action)
    if batch:
        _batched.add(handler)
    if handler not in _subscribers[action]:
        _subscribers[action].append(handler)


_batched: set = set()


def _run_after_commit(handler, payload, what) -> None:
    def run():
        try:
            handler(payload)
        except Exception:  # a listener must never break the write that triggered it
            logger.exception("audit %ssubscriber %r failed for %s", "batch " if isinstance(payload, list) else "",
                             handler, what)

    transaction.on_commit(run)


def dispatch(entry) -> None:
    """Schedule the subscribers of `entry.action` to run after the surrounding transaction commits."""
    dispatch_many([entry])


def dispatch_many(entries: list) -> None:
    """Schedule subscribers for entries appended together.

    A plain handler runs once per entry after commit. A batch handler runs ONCE per committed
    transaction with every entry of its actions that the transaction wrote, however many `record` /
    `record_many` calls wrote them (a loop recording one entry per agency still yields one call):
    see `_TransactionBatch`.
    """
    batches: dict = defaultdict(list)
    for entry in entries:
        for handler in list(_subscribers.get(entry.action, ())) + list(_subscribers.get("*", ())):
            if handler in _batched:
                batches[handler].append(entry)
            else:
                _run_after_commit(handler, entry, entry)
    if not batches:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the write is already committed
        for handler, batch in batches.items():
            _run_batch(handler, batch)
        return
    _TransactionBatch.current(connection).add(batches)


def _run_batch(handler, batch: list) -> None:
    try:
        handler(batch)
    except Exception:  # a listener must never break the write that triggered it
        logger.exception("audit batch subscriber %r failed for %s entries", handler, len(batch))


class _TransactionBatch:
    """The batch-subscriber entries of one open transaction, delivered once after it commits.

    Each `dispatch_many` call registers a marker with `transaction.on_commit` (so a rolled-back
    savepoint drops its marker, and its entries, exactly as Django drops any on-commit callback) and
    appends a fresh flush callback that is never tied to a savepoint. Commit runs the callbacks in
    order: the markers hand their entries over, then the LAST flush delivers them all in one call per
    handler (earlier flushes see they are not the last and do nothing). A rolled-back transaction
    drops every callback, so the next write starts a new batch.
    """

    _local = threading.local()

    def __init__(self, connection):
        self.connection = connection
        self.ready: dict = defaultdict(list)
        self.latest = None
        self.done = False

    @classmethod
    def current(cls, connection) -> _TransactionBatch:
        state = getattr(cls._local, "batch", None)
        if state is None or state.done or state.connection is not connection or not state._pending():
            state = cls._local.batch = cls(connection)
        return state

    def _pending(self) -> bool:
        return any(func is self.latest for _sids, func, _robust in reversed(self.connection.run_on_commit))

    def add(self, batches: dict) -> None:
        def marker():
            for handler, batch in batches.items():
                self.ready[handler].extend(batch)

        transaction.on_commit(marker)

        def flush():
            # The last flush of a commit delivers; inside an atomic block (a test running captured
            # callbacks by hand) any flush delivers what is ready.
            if flush is self.latest or self.connection.in_atomic_block:
                self.deliver()

        self.latest = flush
        self.connection.run_on_commit.append((set(), flush, False))

    def deliver(self) -> None:
        ready, self.ready = self.ready, defaultdict(list)
        if not self.connection.in_atomic_block:
            self.done = True
        for handler, batch in ready.items():
            if batch:
                _run_batch(handler, batch)


@transaction.atomic
def anchor(*, date: dt.date, now: dt.datetime | None = None):
    """Record the chain head as `date`'s anchor (an AuditAnchor row and an audit entry); once per date.

    Returns the new anchor, or None when `date` is already anchored or the chain is empty. The anchor's
    own audit entry comes after the anchored entry, so the next anchor covers it.
    """
    from marketplace.models import AuditAnchor, AuditEntry

    head = _lock_head()
    if head.count == 0 or AuditAnchor.objects.filter(date=date).exists():
        return None
    last = AuditEntry.objects.order_by("-id").only("id", "hash").first()
    if last is None or last.hash != head.last_hash:
        raise RuntimeError("审计链头与最后一条记录不符 / chain head does not match the last entry; run verify_audit")
    now = now or timezone.now()
    row = AuditAnchor.objects.create(date=date, entry_id=last.pk, count=head.count, hash=last.hash, created_at=now)
    record(action="marketplace.audit_anchored", obj=row, now=now,
           data={"entry": last.pk, "count": head.count, "hash": last.hash, "date": date})
    return row


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def verify_chain(entries: Iterable | None = None) -> ChainProblem | None:
    """Walk the chain in id order; return the first broken entry, or None when all is intact.

    An entry may not fall back to an older hash version than the one before it (a downgrade would let a
    column the newer version covers be rewritten).
    """
    from marketplace.models import AuditEntry, AuditHead

    prev = GENESIS
    last_id = 0
    count = 0
    version = 1
    qs = entries if entries is not None else AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    for entry in qs:
        count += 1
        if entry.prev_hash != prev:
            return ChainProblem(entry.pk, "prev_hash does not match the previous entry (removed or reordered)")
        if entry.hash_version < version:
            return ChainProblem(entry.pk, "hash version went backwards (entry was changed)")
        if hash_of(entry) != entry.hash:
            return ChainProblem(entry.pk, "content does not match its hash (entry was changed)")
        prev, version = entry.hash, entry.hash_version
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
