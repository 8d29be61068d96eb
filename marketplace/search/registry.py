"""What each app contributes to search, registered from its own AppConfig.ready().

The search package knows documents, not models (the way Wagtail apps declare their own searchable
models): an app registers one `Kind` per document kind it owns —

    from marketplace import search

    search.register(search.AGENCY, model=Agency, queryset=visible_agencies, build=agency_document,
                    shown=("admitted",), labels=grade_labels, url=storefront_url,
                    reindex_on={"agencies.admitted": search.OBJECT, "agencies.change_approved": "agency"})

`queryset()` returns the visible objects with what `build` needs prefetched; `build(obj)` returns
the plain document dict (see documents.py for its keys); `shown` / `hidden` are the document
statuses that are searchable / never searchable (every query filters on them again); `labels()`
returns `{facet: {value: label}}` for the kind's fixed-choice facets in the active language;
`url(key)` is the page a hit links to. `reindex_on` maps declared audit actions to where the
object id is in the entry: `OBJECT` (the entry's object is a `model` row) or a payload key that
holds the primary key (`agency`, `project`…). The sync (sync.py) listens to exactly those actions.
`columns_on` names the actions among them that change only plain document columns
(`{"agencies.credit_updated": {"grade": "credit_grade"}}`): their objects get one set-based column
UPDATE instead of a rebuilt document (a night of credit changes), unless another action of the same
transaction needs the full re-index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

OBJECT = "<object>"  # the entry's object_type/object_id names the indexed row


def _no_labels() -> dict[str, dict[str, str]]:
    return {}


@dataclass(frozen=True)
class Kind:
    name: str
    model: Any
    queryset: Callable[[], Any]
    build: Callable[[Any], dict]
    shown: frozenset[str] | None = None
    hidden: frozenset[str] = frozenset()
    labels: Callable[[], dict[str, dict[str, str]]] = _no_labels
    url: Callable[[str], str | None] | None = None
    reindex_on: Mapping[str, str] = field(default_factory=dict)
    # Actions that change only plain columns of the document: {action: {document column: model field}}.
    # Their objects are refreshed with one set-based UPDATE instead of rebuilding their documents.
    columns_on: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """`app_label.modelname` as the audit log names objects."""
        return self.model._meta.label_lower

    def is_visible(self, status: str) -> bool:
        if self.shown is not None and status not in self.shown:
            return False
        return status not in self.hidden

    def ids_in(self, entry) -> set[int]:
        """Primary keys of this kind's rows that `entry` touches (empty for other actions)."""
        source = self.reindex_on.get(entry.action)
        if source is None:
            return set()
        if source == OBJECT:
            value = entry.object_id if entry.object_type == self.label else None
        else:
            value = (entry.data or {}).get(source)
        if isinstance(value, bool):
            return set()
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return {int(value)}
        return set()


_kinds: dict[str, Kind] = {}


def register(name: str, *, model, queryset, build, shown: Iterable[str] | None = None, hidden: Iterable[str] = (),
             labels=None, url=None, reindex_on: Mapping[str, str] | None = None,
             columns_on: Mapping[str, Mapping[str, str]] | None = None) -> Kind:
    """Declare a document kind (replacing an earlier registration of the same name)."""
    from marketplace.search import sync

    kind = Kind(name=name, model=model, queryset=queryset, build=build,
                shown=None if shown is None else frozenset(shown), hidden=frozenset(hidden),
                labels=labels or _no_labels, url=url, reindex_on=dict(reindex_on or {}),
                columns_on={a: dict(c) for a, c in (columns_on or {}).items()})
    _kinds[name] = kind
    sync.watch(kind.reindex_on)
    return kind


def get(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no app registered the search kind {name!r}") from None


def registered() -> dict[str, Kind]:
    return dict(_kinds)
