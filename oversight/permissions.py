"""Who may see and decide risk flags: a regulator whose scope covers the flag's region and departments.
Operators run the platform and do not regulate; owners, agencies and the public never see flags."""

from __future__ import annotations

from marketplace.permissions import is_regulator, regulator_covers, rule


def covers(user, flag) -> bool:
    """The flag is in the user's regulator scope (its region; any of its departments, or none named)."""
    return regulator_covers(user, flag.region_id, flag.departments or None)


@rule("oversight.workspace")
def _workspace(user, obj) -> bool:
    return is_regulator(user)


@rule("oversight.view_flag")
def _view_flag(user, flag) -> bool:
    return flag is not None and covers(user, flag)


@rule("oversight.decide_flag")
def _decide_flag(user, flag) -> bool:
    return flag is not None and covers(user, flag)
