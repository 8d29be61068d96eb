"""Time-driven project transitions, run by the kernel's `sweep_deadlines` (every minute from cron).

Each transition is idempotent and locks the project it moves. They act on the real current time:
`today` (used by replays of notifications) does not move the clock of a live selection.
"""

import datetime as dt

from marketplace.notify import sweeper


@sweeper
def project_transitions(*, today: dt.date) -> int:
    from projects import services

    closed = services.close_due()
    return len(closed) + services.expire_confirmations() + services.expire_justifications() + services.end_publicity_due()
