"""Declared events: every audit action and the payload fields it carries, in one registry.

The audit log is also the marketplace's event stream (`marketplace.audit.subscribe`). So that a
consumer never has to guess what an entry holds, each app declares its actions in its own
`events.py` module (discovered when Django is ready):

    from marketplace.events import declare, ID

    ADMITTED = declare("agencies.admitted", "an application is admitted", agency=ID, valid_to=DATE | None)

A field's type is a Python type (or a tuple/union of them); `None` in the union makes it optional (it
may be absent or null). Conventions for keys: `agency`, `project`, `job`, `rating`… always hold the
primary key of that row as an integer; a USCC travels as `uscc` and a posting code as `code`.

`audit.record(...)` calls `validate(action, data)` before anything is written: an undeclared action
or a payload missing a declared field raises `UndeclaredEvent` / `InvalidPayload`, which a test sees.
Extra undeclared keys are allowed (they are stored and hashed like the rest) but consumers may only
rely on declared ones.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

ID = int
TEXT = str
FLAG = bool
DATE = dt.date | str           # a date, or its ISO form once stored
MONEY = Decimal | str | int    # Decimal in 元, or its canonical string once stored
ANY = object


class UndeclaredEvent(LookupError):
    pass


class InvalidPayload(ValueError):
    pass


@dataclass(frozen=True)
class Event:
    action: str
    doc: str
    fields: dict[str, tuple[tuple[type, ...], bool]] = field(default_factory=dict)  # name → (types, optional)

    @property
    def required(self) -> list[str]:
        return [name for name, (_, optional) in self.fields.items() if not optional]

    def __str__(self) -> str:
        return self.action


_registry: dict[str, Event] = {}


def _types_of(spec: Any) -> tuple[tuple[type, ...], bool]:
    if spec is None or spec is type(None):
        return (type(None),), True
    if isinstance(spec, tuple):
        flat = [_types_of(s) for s in spec]
        return tuple(t for ts, _ in flat for t in ts), any(opt for _, opt in flat)
    if get_origin(spec) in (Union, types.UnionType):
        return _types_of(tuple(get_args(spec)))
    return (spec,), False


def declare(action: str, doc: str, **fields: Any) -> Event:
    """Declare `action` with its payload fields; declaring the same action twice is an error."""
    if action in _registry:
        raise ValueError(f"event {action!r} is declared twice")
    if "." not in action:
        raise ValueError(f"event {action!r} must be namespaced as app.action")
    event = Event(action, doc, {name: _types_of(spec) for name, spec in fields.items()})
    _registry[action] = event
    return event


def get(action: str) -> Event:
    try:
        return _registry[action]
    except KeyError:
        raise UndeclaredEvent(f"audit action {action!r} is not declared in any app's events.py") from None


def declared() -> dict[str, Event]:
    return dict(_registry)


def validate(action: str, data: dict | None) -> Event:
    """Check `data` against the declaration of `action`; return the Event or raise."""
    event = get(action)
    data = data or {}
    for name, (allowed, optional) in event.fields.items():
        if name not in data:
            if optional:
                continue
            raise InvalidPayload(f"{action}: payload is missing declared field {name!r}")
        value = data[name]
        if value is None and optional:
            continue
        if object in allowed:
            continue
        if isinstance(value, bool) and bool not in allowed:
            raise InvalidPayload(f"{action}: field {name!r} must be {allowed}, got a bool")
        if not isinstance(value, allowed):
            raise InvalidPayload(f"{action}: field {name!r} must be {_names(allowed)}, got {type(value).__name__}")
    return event


def _names(allowed: tuple[type, ...]) -> str:
    return " | ".join(t.__name__ for t in allowed)


def autodiscover() -> None:
    """Import every installed app's `events` module (called once from the kernel's AppConfig.ready)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("events")


# ---- the kernel's own events ------------------------------------------------------------------

POLICY_ADOPTED = declare("marketplace.policy_adopted", "a new policy version takes effect", version=ID)
ORGANISATION_CREATED = declare("marketplace.organisation_created", "an organisation is registered",
                               kind=TEXT, name=TEXT, uscc=TEXT | None)
MEMBER_ADDED = declare("marketplace.member_added", "a user joins an organisation", user=TEXT, role=TEXT)
INVITATION_SENT = declare("marketplace.invitation_sent", "a user is invited to an organisation",
                          email=TEXT, role=TEXT)
ADMIN_WRITE = declare("marketplace.admin_write",
                      "an operator creates, changes or deletes a row in the Django or Wagtail admin "
                      "(reference data, users, organisations); `values` holds the new values of `fields`",
                      model=TEXT, change=TEXT, fields=list, values=dict | None)
API_KEY_CREATED = declare("marketplace.api_key_created", "a user creates an API key (only its prefix is recorded)",
                          prefix=TEXT, name=TEXT)
API_KEY_REVOKED = declare("marketplace.api_key_revoked", "a user revokes one of their API keys", prefix=TEXT)
AUDIT_ANCHORED = declare("marketplace.audit_anchored", "the audit chain head is published as the day's anchor",
                         entry=ID, count=ID, hash=TEXT, date=DATE)
SUBSCRIBED = declare("marketplace.subscribed", "a user subscribes to postings of service types × regions",
                     subscription=ID, service_types=list, regions=list)
UNSUBSCRIBED = declare("marketplace.unsubscribed", "a user ends a subscription", subscription=ID)
NOTIFICATION_SETTINGS_CHANGED = declare("marketplace.notification_settings_changed",
                                        "a user sets their message language and mail mode per kind",
                                        language=TEXT, modes=dict)
HOLIDAY_YEAR_REPLACED = declare("marketplace.holiday_year_replaced",
                                "an operator replaces one year's holidays and make-up working days at once",
                                year=int, holidays=int, workdays=int, source=TEXT)
