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


@task()
def refresh_columns(kind: str, ids: list[int]) -> int:
    """Copy the `columns_on` columns of these objects into their documents (one statement per chunk)."""
    from marketplace.search import get_backend

    registered = registry.get(kind)
    columns = {col: fld for mapping in registered.columns_on.values() for col, fld in mapping.items()}
    engine = get_backend()
    if not hasattr(engine, "update_columns"):  # a backend without partial updates rebuilds the documents
        from marketplace.search import index_objects

        index_objects(kind, ids)
    else:
        engine.update_columns(kind, registered.model, columns, ids)
    return len(ids)


def on_audit_entries(entries: Iterable) -> None:
    """One transaction's entries of the watched actions → one task per kind: a re-index of every object
    whose document must be rebuilt, and a column refresh of those only a `columns_on` action touched."""
    full: dict[str, set[int]] = {}
    light: dict[str, set[int]] = {}
    kinds = registry.registered()
    for entry in entries:
        for kind, object_id in targets(entry):
            only_columns = entry.action in kinds[kind].columns_on
            (light if only_columns else full).setdefault(kind, set()).add(object_id)
    for kind, ids in sorted(full.items()):
        reindex.enqueue(kind, sorted(ids))
    for kind, ids in sorted(light.items()):
        rest = ids - full.get(kind, set())
        if rest:
            refresh_columns.enqueue(kind, sorted(rest))


def watch(actions: Iterable[str]) -> None:
    """Subscribe the index to these declared actions (called by `registry.register`)."""
    for action in actions:
        audit.subscribe(action, on_audit_entries, batch=True)
