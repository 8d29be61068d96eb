"""One state-machine helper for every model with a status: the transition table is data.

A machine is a table `transition name → {from status: to status}`. Services call `advance(obj, name)`
to guard and move (it returns the fields to save), or `transition(...)` to guard, move, save and write
the audit entry in one call. Templates and views ask `allowed(obj)` which transitions are open now
instead of comparing status strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone


def table(**rows: tuple[Iterable[str], str]) -> dict[str, dict[str, str]]:
    """Build a table from `name=(sources, target)` rows (every source moves to the same target)."""
    return {name: {str(s): str(target) for s in sources} for name, (sources, target) in rows.items()}


class StateMachine:
    def __init__(self, transitions: Mapping[str, Mapping[str, str]], *, field: str = "status",
                 since_field: str | None = None, touch: Iterable[str] = ("updated_at",)):
        self.transitions = {name: dict(moves) for name, moves in transitions.items()}
        self.field = field
        self.since_field = since_field
        self.touch = tuple(touch)

    def names(self) -> list[str]:
        return list(self.transitions)

    def state(self, obj) -> str:
        return str(getattr(obj, self.field))

    def can(self, obj, name: str) -> bool:
        return self.state(obj) in self.transitions[name]

    def allowed(self, obj) -> frozenset[str]:
        """The transitions open from `obj`'s current status."""
        here = self.state(obj)
        return frozenset(name for name, moves in self.transitions.items() if here in moves)

    def target(self, obj, name: str) -> str:
        moves = self.transitions[name]
        here = self.state(obj)
        if here not in moves:
            label = getattr(obj, f"get_{self.field}_display", lambda: here)()
            raise ValidationError(f"当前状态（{label}）不允许此操作 / not allowed in status {here}: {name}",
                                  code="transition")
        return moves[here]

    def advance(self, obj, name: str, *, now: dt.datetime | None = None) -> list[str]:
        """Guard and move `obj` along `name`; return the fields to save. Raises ValidationError."""
        setattr(obj, self.field, self.target(obj, name))
        fields = [self.field]
        if self.since_field:
            setattr(obj, self.since_field, now or timezone.now())
            fields.append(self.since_field)
        return fields + [f for f in self.touch if f not in fields]

    def transition(self, obj, name: str, *, by, action: str, now: dt.datetime | None = None,
                   organisation=None, data: dict | None = None, reason: str = "",
                   extra_fields: Iterable[str] = ()):
        """Guard, move, save and audit in one step; the entry's data carries `from` and `to`."""
        from marketplace import audit

        frm = self.state(obj)
        fields = self.advance(obj, name, now=now)
        obj.save(update_fields=[*fields, *[f for f in extra_fields if f not in fields]])
        return audit.record(action=action, by=by, obj=obj, organisation=organisation, now=now, reason=reason,
                            data={"from": frm, "to": self.state(obj), **(data or {})})
