"""Every write to a project goes through here: lock → re-check → save(update_fields) → one audit entry.

One module per stage: drafting, registration, selection, award, contract. Race-prone steps (registration
at the deadline, the draw, confirmation vs. the deadline sweep, the award) re-read the project with
`_base.locked` and re-check its state under the lock. Status changes go through `projects.states.PROJECT`.
Clocks are passed in as `now`; dates the rules count in are working days (marketplace.workdays).
"""

from .award import (
    answer_objection,
    confirm_selection,
    end_publicity,
    end_publicity_due,
    expire_confirmations,
    file_objection,
    refuse_selection,
)
from .contract import sign_contract, upload_contract
from .drafting import cancel, create_draft, publish, republish, revise, update_draft
from .registration import close_due, close_registration, register, submit_quote
from .selection import (
    decide_justification,
    enter_technical_score,
    expire_justifications,
    select_direct,
    select_provider,
    submit_justification,
)

__all__ = [
    "answer_objection", "cancel", "close_due", "close_registration", "confirm_selection", "create_draft",
    "decide_justification", "end_publicity", "end_publicity_due", "enter_technical_score", "expire_confirmations",
    "expire_justifications", "file_objection", "publish", "refuse_selection", "register",
    "republish", "revise", "select_direct", "select_provider", "sign_contract", "submit_justification",
    "submit_quote", "update_draft", "upload_contract",
]
