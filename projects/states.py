"""The project's state machine, and the status sets public pages and the API read.

Every status change of a project goes through `PROJECT` (`advance` or `transition`); pages ask
`PROJECT.allowed(project)` which transitions are open instead of comparing status strings.
"""

from __future__ import annotations

from marketplace.states import StateMachine, table
from projects.models import Project

S = Project.Status

PROJECT = StateMachine(table(
    publish=({S.DRAFT}, S.PUBLISHED),
    revise=({S.PUBLISHED}, S.PUBLISHED),
    cancel=({S.DRAFT, S.PUBLISHED, S.CLOSED, S.SELECTING}, S.CANCELLED),
    close=({S.PUBLISHED}, S.CLOSED),
    await_evaluation=({S.CLOSED, S.SELECTING}, S.SELECTING),
    select_direct=({S.PUBLISHED}, S.CONFIRMING),
    offer=({S.CLOSED, S.SELECTING, S.CONFIRMING}, S.CONFIRMING),
    fail=({S.CLOSED, S.SELECTING, S.CONFIRMING}, S.FAILED),
    confirm=({S.CONFIRMING}, S.PUBLICITY),
    withdraw_result=({S.PUBLICITY}, S.CLOSED),
    end_publicity=({S.PUBLICITY}, S.CONTRACTING),
    start_service=({S.CONTRACTING}, S.IN_SERVICE),
    complete=({S.IN_SERVICE}, S.COMPLETED),
    # A failed round stays failed: re-publishing it drafts the next round as a new project.
    republish=({S.FAILED}, S.FAILED),
), since_field="status_since")

# Statuses the public may see (never drafts).
PUBLIC_STATUSES = frozenset(set(S.values) - {S.DRAFT})
# After registration closes quotes may be shown.
QUOTES_OPEN_STATUSES = frozenset({S.CLOSED, S.SELECTING, S.CONFIRMING, S.PUBLICITY, S.CONTRACTING, S.IN_SERVICE,
                                  S.COMPLETED, S.FAILED})


def quotes_visible(project: Project) -> bool:
    """Sealed bids: amounts are readable only once the registration window has closed."""
    return project.closed_at is not None and project.status in QUOTES_OPEN_STATUSES


def selection_may_run(project: Project) -> bool:
    """The selection runs on a closed window or one under evaluation: where `await_evaluation` may start."""
    return PROJECT.can(project, "await_evaluation")


def registration_open(project: Project) -> bool:
    """Agencies may register (and revise quotes) while the window can still be closed."""
    return PROJECT.can(project, "close")
