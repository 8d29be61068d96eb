"""Role dashboards. Each app registers panels for the roles it serves; the kernel lays them out.

A panel is `fn(request, organisation) -> dict | None` returning {"title", "template", "context",
"order"}; returning None hides it. The kernel renders each panel to HTML here.

Rendered panels are cached per user, organisation, language and day under the page cache's generation
(`marketplace.pagecache`): every committed audit entry moves the generation, so a panel is recomputed
after any audited change (sending and reading job messages are audited too), and at most
`PAGE_CACHE_SECONDS` after anything else. A panel whose data could change without an audit entry
registers with `cached=False` and is computed on every request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from marketplace import pagecache

_panels: dict[str, list[Callable]] = defaultdict(list)
_uncached: set[Callable] = set()
_HIDDEN = "-"  # cached marker of a panel that returned None


def panel(role: str, *, cached: bool = True):
    def register(fn):
        if fn not in _panels[role]:
            _panels[role].append(fn)
        if not cached:
            _uncached.add(fn)
        return fn

    return register


def _key(fn, role: str, request, organisation, generation: int) -> str:
    org = organisation.pk if organisation is not None else 0
    return (f"dash:{generation}:{translation.get_language()}:{timezone.localdate().isoformat()}:{role}:"
            f"{org}:{request.user.pk}:{fn.__module__}.{fn.__qualname__}")


def _render(fn, request, organisation) -> dict | str:
    result = fn(request, organisation)
    if not result:
        return _HIDDEN
    # Without the request: panel templates read only `ctx`, and the context processors (notification
    # count, the user's organisations) have already run for the page around them.
    html = render_to_string(result["template"], {"ctx": result["context"]})
    return {"title": str(result["title"]), "html": html, "order": result.get("order", 100)}


def panels_for(role: str, request, organisation) -> list[dict]:
    """The role's visible panels as {"title", "html", "order"}, in order; cached ones from the cache."""
    fns = _panels.get(role, ())
    ttl = pagecache.timeout()
    keys = {}
    if ttl > 0:
        generation = pagecache.generation()
        keys = {fn: _key(fn, role, request, organisation, generation) for fn in fns if fn not in _uncached}
    found = cache.get_many(list(keys.values())) if keys else {}
    out, fresh = [], {}
    for fn in fns:
        key = keys.get(fn)
        rendered = found.get(key) if key else None
        if rendered is None:
            rendered = _render(fn, request, organisation)
            if key:
                fresh[key] = rendered
        if rendered != _HIDDEN:
            out.append(rendered)
    if fresh:
        cache.set_many(fresh, ttl)
    return sorted(out, key=lambda p: p["order"])
