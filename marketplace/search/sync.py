"""Keep the index in step with the data by listening to the audit actions the apps declared.

Each registered kind names the audit actions that change its documents and where the object id is
in the entry (registry.py: `reindex_on`); this module subscribes to exactly those actions. The
handler is a batch subscriber (`marketplace.audit`): it runs once after the transaction commits
with all of that transaction's entries, so a bulk append (an import admitting thousands of agencies,
a night of credit updates) enqueues ONE django-tasks task per kind. The task re-indexes by id (the
immediate backend runs it at once; a database/Redis worker backend out of process) and reads the
current rows, so it indexes visible objects and removes everything else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_tasks import task

from marketplace import audit
from marketplace.search import registry

logger = logging.getLogger(__name__)


def targets(entry) -> set[tuple[str, int]]:
    """The (kind, object id) pairs an audit entry touches, as the registered kinds declare them."""
    return {(kind.name, object_id) for kind in registry.registered().values() for object_id in kind.ids_in(entry)}


@task()
def reindex(kind: str, ids: list[int]) -> int:
    """Re-index these objects from the database (visible ones indexed, the rest removed)."""
    from marketplace.search import index_objects

    index_objects(kind, ids)
    return len(ids)


def on_audit_entries(entries: Iterable) -> None:
    """One transaction's entries of the watched actions → one re-index task per kind."""
    by_kind: dict[str, set[int]] = {}
    for entry in entries:
        for kind, object_id in targets(entry):
            by_kind.setdefault(kind, set()).add(object_id)
    for kind, ids in sorted(by_kind.items()):
        reindex.enqueue(kind, sorted(ids))


def watch(actions: Iterable[str]) -> None:
    """Subscribe the index to these declared actions (called by `registry.register`)."""
    for action in actions:
        audit.subscribe(action, on_audit_entries, batch=True)
