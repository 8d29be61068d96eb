"""The project's state machine is the single guard for status changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects.models import Project
from projects.states import PROJECT, PUBLIC_STATUSES

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("name", PROJECT.names())
def test_each_transition_allowed_only_from_its_sources(name):
    moves = PROJECT.transitions[name]
    for status in Project.Status.values:
        project = Project(status=status)
        if status in moves:
            assert PROJECT.can(project, name) and name in PROJECT.allowed(project)
            assert PROJECT.advance(project, name, now=NOW) == ["status", "status_since", "updated_at"]
            assert project.status == moves[status] and project.status_since == NOW
        else:
            assert not PROJECT.can(project, name) and name not in PROJECT.allowed(project)
            with pytest.raises(ValidationError, match="不允许"):
                PROJECT.advance(project, name, now=NOW)
            assert project.status == status


def test_every_status_is_reachable_from_draft():
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        status = frontier.pop()
        for moves in PROJECT.transitions.values():
            target = moves.get(status)
            if target and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Project.Status.values)


def test_terminal_statuses_have_no_way_out():
    for moves in PROJECT.transitions.values():
        assert "cancelled" not in moves and "completed" not in moves


def test_drafts_are_never_public():
    assert "draft" not in PUBLIC_STATUSES


@pytest.mark.parametrize(("status", "registering", "selecting"), [
    ("draft", False, False), ("published", True, False), ("closed", False, True), ("selecting", False, True),
    ("confirming", False, False), ("failed", False, False),
])
def test_window_and_selection_predicates_follow_the_machine(status, registering, selecting):
    from projects.states import registration_open, selection_may_run

    project = Project(status=status)
    assert registration_open(project) is registering
    assert selection_may_run(project) is selecting


def test_detail_page_actions_come_from_the_machine_narrowed_by_role_and_dates():
    from projects.selectors import project_actions

    def acts(project, **who):
        who = {"is_owner": False, "is_agency": False, "my_reg": None, **who}
        return project_actions(project, now=NOW, today=NOW.date(), **who)

    draft = Project(status="draft", method="draw")
    assert acts(draft, is_owner=True) == {"publish", "cancel"}
    assert acts(draft, is_agency=True) == set()
    open_window = Project(status="published", method="lowest", registration_deadline=NOW + dt.timedelta(days=1))
    assert acts(open_window, is_owner=True) == {"revise", "cancel"}
    assert acts(open_window, is_agency=True) == {"register"}
    due = Project(status="published", method="draw", registration_deadline=NOW)
    assert acts(due, is_owner=True) == {"revise", "cancel", "run_selection"}
    direct = Project(status="published", method="direct", registration_deadline=NOW)
    assert acts(direct, is_owner=True) == {"revise", "cancel", "select_direct"}
    assert acts(direct, is_agency=True) == set()
    publicity = Project(status="publicity", method="draw", publicity_ends_on=NOW.date() - dt.timedelta(days=1))
    assert acts(publicity, is_owner=True) == {"end_publicity"}
    assert acts(Project(status="contracting"), is_owner=True) == {"contract"}
    assert acts(Project(status="failed"), is_owner=True) == {"republish"}
