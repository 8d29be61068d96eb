"""Role dashboards. Each app registers panels for the roles it serves; the kernel lays them out.

A panel is `fn(request, organisation) -> dict | None` returning {"title", "template", "context",
"order"}; returning None hides it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_panels: dict[str, list[Callable]] = defaultdict(list)


def panel(role: str):
    def register(fn):
        if fn not in _panels[role]:
            _panels[role].append(fn)
        return fn

    return register


def panels_for(role: str, request, organisation) -> list[dict]:
    out = []
    for fn in _panels.get(role, ()):
        result = fn(request, organisation)
        if result:
            out.append(result)
    return sorted(out, key=lambda p: p.get("order", 100))
