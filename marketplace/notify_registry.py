"""Declared notifications: which audit actions tell whom what, by when, and where to act.

Each app declares its notifications in `<app>/notifications.py` (discovered when Django is ready),
next to its `events.py`:

    from marketplace.notify_registry import Message, notification

    @notification("projects.objection_filed", kind="objection_filed", deadline=True,
                  title=gettext_noop("质疑待答复：%(code)s"),
                  body=gettext_noop("项目 %(code)s 收到质疑，请在 %(deadline)s 前答复。"))
    def objection_filed(entry):
        return [Message(recipients=..., params={"code": ...}, deadline=..., url=...)]

The handler reads the committed `AuditEntry` and returns the messages to send; the registry
subscribes it to the action and writes each message through `marketplace.notify.notify` with the
key `<action>:<entry id>[:<message key>]`, so a replay or a second sweep adds nothing. `deadline=True`
marks an action that starts someone's deadline: each of its messages must carry the deadline and its
body must name it (`%(deadline)s`), which a table-driven test checks for every such declaration.
Title and body are Chinese msgids; each app's catalogue holds their English.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from marketplace import audit, events, notify

logger = logging.getLogger(__name__)


@dataclass
class Message:
    """One message a declared notification sends: to whom, with which template values, by when, where."""

    recipients: Any
    params: dict = field(default_factory=dict)
    deadline: dt.datetime | dt.date | str | None = None
    url: str = ""
    key: str = ""
    subscription: Any = None


@dataclass(frozen=True)
class Rule:
    action: str
    kind: str
    label: Any
    title: str
    body: str
    starts_deadline: bool
    build: Callable[[Any], Iterable[Message]]
    inline: bool = False  # also sent by the service inside its own transaction (offers)


_rules: dict[str, list[Rule]] = {}


def notification(action: str, *, kind: str, title: str, body: str, label=None, deadline: bool = False,
                 inline: bool = False):
    """Declare the notification sent when `action` is recorded; the decorated function builds the messages."""
    events.get(action)  # must be declared
    if deadline and "%(deadline)s" not in body:
        raise ValueError(f"notification for {action!r} starts a deadline but its body does not name it")

    def register(fn: Callable[[Any], Iterable[Message]]):
        notify.register_kind(kind, label or notify.KINDS.get(kind) or title)
        rule = Rule(action, kind, label, title, body, deadline, fn, inline)
        existing = _rules.setdefault(action, [])
        if any(r.build.__qualname__ == fn.__qualname__ and r.build.__module__ == fn.__module__ for r in existing):
            return fn
        existing.append(rule)
        audit.subscribe(action, _handler(rule))
        return fn

    return register


def rules() -> list[Rule]:
    return [rule for group in _rules.values() for rule in group]


def rules_for(action: str) -> list[Rule]:
    return list(_rules.get(action, ()))


def send(rule: Rule, message: Message, *, key: str, now: dt.datetime | None = None) -> list:
    """Write one message of `rule` (inbox rows, and mail after commit); returns the rows created."""
    deadline = notify.as_deadline(message.deadline)
    if rule.starts_deadline and deadline is None:
        raise ValueError(f"notification {rule.kind!r} starts a deadline but its message has none")
    return notify.notify(key=key, recipients=message.recipients, kind=rule.kind, title=rule.title,
                         body=rule.body, url=message.url, deadline=deadline, params=dict(message.params),
                         now=now, subscription=message.subscription)


def deliver(rule: Rule, entry) -> int:
    """Send every message `rule` builds for the committed `entry`; returns the inbox rows created."""
    created, told = 0, set()
    for message in rule.build(entry) or ():
        # One message per person per event: a registrant who also subscribes hears of a result once.
        users = [u for u in notify.recipients_of(message.recipients) if u.pk not in told]
        told.update(u.pk for u in users)
        message.recipients = users
        key = f"{rule.action}:{entry.pk}" + (f":{message.key}" if message.key else "")
        created += len(send(rule, message, key=message.key if rule.inline else key))
    return created


def _handler(rule: Rule):
    def handle(entry) -> None:
        deliver(rule, entry)

    handle.__qualname__ = f"notify:{rule.action}:{rule.kind}"
    return handle


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("notifications")


def regulators_covering(region, department_id=None) -> list:
    """The regulator organisations whose scope covers `region` (a code or an object with `region_id`)."""
    from marketplace.models import Organisation
    from marketplace.permissions import regulator_covers

    return [org for org in Organisation.objects.filter(kind=Organisation.Kind.REGULATOR).order_by("id")
            if regulator_covers(org, region, department_id)]
