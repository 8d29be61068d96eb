"""The service job's state machine. Extensions do not move the job: their rows say in which statuses
an extension may be requested or decided."""

from __future__ import annotations

from marketplace.states import StateMachine, table

from .models import ServiceJob

S = ServiceJob.Status

# Not once delivered: the clock has stopped at delivery, so more time means nothing until the owner returns
# the deliverable (then RETURNED reopens it). A request already pending may still be decided.
EXTENSION_OPEN = (S.RUNNING, S.PAUSED, S.RETURNED)

JOB = StateMachine({
    **table(
        record_materials_complete=({S.WAITING_MATERIALS}, S.RUNNING),
        request_pause=({S.RUNNING, S.RETURNED}, S.PAUSED),
        supply_materials=({S.PAUSED}, S.RUNNING),
        submit_deliverable=({S.RUNNING, S.RETURNED}, S.DELIVERED),
        return_deliverable=({S.DELIVERED}, S.RETURNED),
        accept_deliverable=({S.DELIVERED}, S.ACCEPTED),
    ),
    "request_extension": {str(s): str(s) for s in EXTENSION_OPEN},
    "decide_extension": {str(s): str(s) for s in S if s != S.ACCEPTED},
})
