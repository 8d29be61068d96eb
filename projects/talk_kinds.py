"""The notification kinds clarifications and job messages use (docs/rules.md §12), and one way to send them.

`marketplace.notify.notify` refuses an unknown kind. The projects app registers its kinds with the
kernel when it is ready (`notify.register_kind` where the kernel offers it, else straight into its
`KINDS` table) and again before each use. `send` passes the action's deadline only to a kernel whose
`notify` accepts one, so the services work before and after the kernel's notification rework.
"""

from __future__ import annotations

import inspect

from django.utils.translation import gettext_lazy

from marketplace import notify

KINDS = {
    "clarification_asked": gettext_lazy("新的答疑问题"),
    "clarification_answered": gettext_lazy("答疑已答复"),
    "job_message": gettext_lazy("服务沟通新消息"),
}


def ensure_kinds() -> None:
    register = getattr(notify, "register_kind", None)
    table = getattr(notify, "KINDS", None)
    for kind, label in KINDS.items():
        if callable(register):
            register(kind, label)
        elif isinstance(table, dict):
            table.setdefault(kind, label)


def send(**kwargs) -> list:
    """`notify.notify(**kwargs)` with this app's kinds registered; `deadline` is dropped where unsupported."""
    ensure_kinds()
    if "deadline" in kwargs and "deadline" not in inspect.signature(notify.notify).parameters:
        kwargs.pop("deadline")
    return notify.notify(**kwargs)
