"""The project state machine as data: transition name → (allowed from-statuses, to-status).

`advance(project, name, now)` is the one guard every service uses; nothing else assigns `status`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from projects.models import Project

S = Project.Status

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({S.DRAFT}), S.PUBLISHED),
    "revise": (frozenset({S.PUBLISHED}), S.PUBLISHED),
    "cancel": (frozenset({S.DRAFT, S.PUBLISHED, S.CLOSED, S.SELECTING}), S.CANCELLED),
    "close": (frozenset({S.PUBLISHED}), S.CLOSED),
    "await_evaluation": (frozenset({S.CLOSED, S.SELECTING}), S.SELECTING),
    "offer": (frozenset({S.PUBLISHED, S.CLOSED, S.SELECTING, S.CONFIRMING}), S.CONFIRMING),
    "fail": (frozenset({S.CLOSED, S.SELECTING, S.CONFIRMING}), S.FAILED),
    "confirm": (frozenset({S.CONFIRMING}), S.PUBLICITY),
    "withdraw_result": (frozenset({S.PUBLICITY}), S.CLOSED),
    "end_publicity": (frozenset({S.PUBLICITY}), S.CONTRACTING),
    "start_service": (frozenset({S.CONTRACTING}), S.IN_SERVICE),
}

# Statuses the public may see (never drafts).
PUBLIC_STATUSES = frozenset(set(S.values) - {S.DRAFT})
# After registration closes quotes may be shown.
QUOTES_OPEN_STATUSES = frozenset({S.CLOSED, S.SELECTING, S.CONFIRMING, S.PUBLICITY, S.CONTRACTING, S.IN_SERVICE,
                                  S.COMPLETED, S.FAILED})


def can_advance(project: Project, name: str) -> bool:
    sources, _ = TRANSITIONS[name]
    return project.status in sources


def advance(project: Project, name: str, now) -> list[str]:
    """Move `project` along transition `name` or raise; returns the fields to save."""
    sources, target = TRANSITIONS[name]
    if project.status not in sources:
        raise ValidationError(
            f"当前状态（{project.get_status_display()}）不允许此操作 / not allowed in status {project.status}: {name}")
    project.status = target
    project.status_since = now
    return ["status", "status_since", "updated_at"]


def quotes_visible(project: Project) -> bool:
    """Sealed bids: amounts are readable only once the registration window has closed."""
    return project.closed_at is not None and project.status in QUOTES_OPEN_STATUSES
