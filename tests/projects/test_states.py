"""The transition table is the single guard for status changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects.models import Project
from projects.states import PUBLIC_STATUSES, TRANSITIONS, advance, can_advance

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_each_transition_allowed_only_from_its_sources(name):
    sources, target = TRANSITIONS[name]
    for status in Project.Status.values:
        project = Project(status=status)
        if status in sources:
            assert can_advance(project, name)
            advance(project, name, NOW)
            assert project.status == target and project.status_since == NOW
        else:
            assert not can_advance(project, name)
            with pytest.raises(ValidationError, match="不允许"):
                advance(project, name, NOW)
            assert project.status == status


def test_every_status_is_reachable_from_draft():
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        status = frontier.pop()
        for sources, target in TRANSITIONS.values():
            if status in sources and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Project.Status.values) - {"completed"}  # completion belongs to delivery


def test_terminal_statuses_have_no_way_out():
    for sources, _ in TRANSITIONS.values():
        assert "cancelled" not in sources and "in_service" not in sources


def test_drafts_are_never_public():
    assert "draft" not in PUBLIC_STATUSES
