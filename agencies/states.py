"""The agency's status machine as data: transition name → {from status: to status}.

Every status change goes through `MACHINE` (admission services, sanctions, imports); nothing else
assigns `Agency.status`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from agencies.models import Agency
from marketplace.states import StateMachine, table

S = Agency.Status

MACHINE = StateMachine(table(
    submit=((S.DRAFT, S.REJECTED), S.SUBMITTED),
    admit=((S.SUBMITTED,), S.ADMITTED),
    admit_directly=((S.DRAFT, S.SUBMITTED, S.REJECTED), S.ADMITTED),  # imports of an existing register
    reject=((S.SUBMITTED,), S.REJECTED),
    suspend=((S.ADMITTED,), S.SUSPENDED),
    extend_suspension=((S.SUSPENDED,), S.SUSPENDED),
    restore=((S.SUSPENDED,), S.ADMITTED),
    remove=((S.ADMITTED, S.SUSPENDED, S.BLACKLISTED), S.REMOVED),
    blacklist=((S.ADMITTED, S.SUSPENDED, S.REMOVED), S.BLACKLISTED),
    reopen=((S.REMOVED, S.BLACKLISTED), S.DRAFT),
))

# Lifting a removal or blacklisting (e.g. its cause voided on review) reinstates the agency. Kept out of
# MACHINE so that nothing else (imports, `set_status`) can readmit a removed agency.
REINSTATEMENT = StateMachine(table(reinstate=((S.REMOVED, S.BLACKLISTED), S.ADMITTED)))

# The transitions a sanction (ratings, or a regulator through `set_status`) may perform, by target.
SANCTIONS: dict[str, tuple[str, ...]] = {
    S.SUSPENDED: ("suspend", "extend_suspension"),
    S.ADMITTED: ("restore",),
    S.REMOVED: ("remove",),
    S.BLACKLISTED: ("blacklist",),
}


def leads_to(agency: Agency, target: str) -> bool:
    """Whether some transition open now moves `agency` to `target`."""
    return any(MACHINE.target(agency, name) == target for name in MACHINE.allowed(agency))


def guard(agency: Agency, name: str) -> None:
    """Raise the bilingual `transition` error unless transition `name` is open for `agency` now."""
    if not MACHINE.can(agency, name):
        raise _cannot_move(agency, next(iter(MACHINE.transitions[name].values())))


def sanction_transition(agency: Agency, target: str) -> str:
    """The name of the sanction transition that moves `agency` to `target` now; raises if there is none."""
    for name in SANCTIONS.get(target, ()):
        if MACHINE.can(agency, name):
            return name
    raise _cannot_move(agency, target)


def _cannot_move(agency: Agency, target: str) -> ValidationError:
    labels = dict(S.choices)
    return ValidationError(
        f"状态不能从“{labels.get(agency.status, agency.status)}”变为“{labels.get(target, target)}” / "
        f"cannot move from {agency.status} to {target}", code="transition")
