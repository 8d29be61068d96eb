"""The risk flag's decisions as data (see marketplace/states.py)."""

from marketplace.states import StateMachine, table
from oversight.models import RiskFlag

S = RiskFlag.Status

FLAG = StateMachine(table(
    review=({S.OPEN}, S.REVIEWING),
    dismiss=({S.OPEN, S.REVIEWING}, S.DISMISSED),
    open_case=({S.OPEN, S.REVIEWING}, S.CASE),
), touch=())
