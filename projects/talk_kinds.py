"""The notification kinds clarifications and job messages use (docs/rules.md §12).

`marketplace.notify.notify` refuses an unknown kind. Rather than edit the kernel's table (being reworked
into a declared mechanism), the projects app adds its kinds to it when it is ready and again before
each use, so the call works whichever shape the kernel's table has, as long as it is a mapping.
"""

from __future__ import annotations

from marketplace import notify

KINDS = {
    "clarification_asked": "新的答疑问题 / new clarification question",
    "clarification_answered": "答疑已答复 / clarification answered",
    "job_message": "服务沟通新消息 / new job message",
}


def ensure_kinds() -> None:
    table = getattr(notify, "KINDS", None)
    if isinstance(table, dict):
        for kind, label in KINDS.items():
            table.setdefault(kind, label)
