"""Keep the index in step with the data by listening to the audit log.

Every state change in agencies and projects is recorded as an audit action (`agencies.*`,
`projects.*`, including `agencies.credit_updated` from the ratings engine); `marketplace.audit`
runs subscribers after the transaction commits. The handler works out which agency / posting ids the
entry touches and enqueues a django-tasks task that re-indexes them by id (the immediate backend runs
it at once; a database/Redis worker backend runs it out of process). Re-indexing reads the current
rows, so it indexes admitted agencies and published postings and removes everything else.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django_tasks import task

from marketplace import audit
from marketplace.search.documents import AGENCY, PROJECT

logger = logging.getLogger(__name__)
PREFIXES = ("agencies.", "projects.")


def targets(entry) -> set[tuple[str, int]]:
    """The (kind, object id) pairs an audit entry touches; empty for other apps' actions."""
    if not entry.action.startswith(PREFIXES):
        return set()
    found: set[tuple[str, int]] = set()
    object_type, object_id = entry.object_type or "", entry.object_id or ""
    if object_type == "agencies.agency" and object_id.isdigit():
        found.add((AGENCY, int(object_id)))
    elif object_type == "projects.project" and object_id.isdigit():
        found.add((PROJECT, int(object_id)))
    elif object_type and object_id:
        # A child row (a service listing, a qualification, a registration…): follow its FK.
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            model = None
        if model is not None:
            fields = {f.attname for f in model._meta.concrete_fields}
            wanted = [f for f in ("agency_id", "project_id") if f in fields]
            if wanted:
                row = model._default_manager.filter(pk=object_id).values(*wanted).first() or {}
                if row.get("agency_id"):
                    found.add((AGENCY, int(row["agency_id"])))
                if row.get("project_id"):
                    found.add((PROJECT, int(row["project_id"])))
    data = entry.data or {}
    for key, kind in (("agency", AGENCY), ("project", PROJECT)):
        value = data.get(key)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found.add((kind, int(value)))
    return found


@task()
def reindex(kind: str, ids: list[int]) -> int:
    """Re-index these objects from the database (visible ones indexed, the rest removed)."""
    from marketplace.search import index_objects

    index_objects(kind, ids)
    return len(ids)


def on_audit_entry(entry) -> None:
    by_kind: dict[str, list[int]] = {}
    for kind, object_id in targets(entry):
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        reindex.enqueue(kind, sorted(ids))


def connect() -> None:
    """Called from MarketplaceConfig.ready(): one "*" subscriber, filtered by prefix above."""
    audit.subscribe("*", on_audit_entry)
