"""What a job's dates mean today: its service clock and the owner's open deadlines.

Computed from the job and its prefetched pauses, extensions and deliverables (no queries when they
are prefetched, see selectors.jobs_with_history), so pages are right even if no sweep ever ran.

Why review time is excluded: while a deliverable sits with the owner it is the owner's turn, so the
agency's clock stops on the submission day; if the owner returns it, the working days after the
submission up to and including the return day do not count, exactly like a 补正 pause. Acceptance
freezes the clock at the accepted deliverable's submission day; that is the completion day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from marketplace.policy import Policy
from marketplace.workdays import Calendar
from projects.clock import ClockStatus, clock_status

from .models import Deliverable, Extension, ServiceJob

ONE_DAY = dt.timedelta(days=1)


def effective_limit(job: ServiceJob) -> int:
    return job.limit_wd + sum(e.granted_wd for e in job.extensions.all() if e.decision == Extension.Decision.GRANTED)


def clock_inputs(job: ServiceJob, today: dt.date) -> tuple[list[tuple[dt.date, dt.date | None]], dt.date]:
    """The pauses (补正 and owner review of returned deliverables) and the day the clock is read on."""
    pauses: list[tuple[dt.date, dt.date | None]] = [(p.first_day, p.last_day) for p in job.pauses.all()]
    stop = today
    for d in job.deliverables.all():
        if d.decision == Deliverable.Decision.RETURNED and d.decided_on and d.decided_on > d.submitted_on:
            pauses.append((d.submitted_on + ONE_DAY, d.decided_on))
        elif d.decision in (Deliverable.Decision.PENDING, Deliverable.Decision.ACCEPTED):
            stop = min(stop, d.submitted_on)
    return pauses, stop


def job_clock(job: ServiceJob, *, today: dt.date, calendar: Calendar, policy: Policy) -> ClockStatus | None:
    """The agency's service clock, or None while it has not started (materials incomplete)."""
    if job.started_on is None:
        return None
    pauses, stop = clock_inputs(job, today)
    return clock_status(start=job.started_on, limit=effective_limit(job), pauses=pauses, today=stop,
                        calendar=calendar, policy=policy)


@dataclass(frozen=True)
class OwnerWait:
    """Something the owner must do, since when, and its own clock (None when no limit applies)."""

    kind: str  # materials | supply | decision | extension | rating
    since: dt.date
    clock: ClockStatus | None
    ref_id: int | None = None

    @property
    def overdue(self) -> bool:
        return bool(self.clock and self.clock.overdue)

    @property
    def label(self) -> str:
        return WAIT_LABELS[self.kind]

    @property
    def due(self) -> dt.date | None:
        return self.clock.deadline if self.clock else None


def owner_waits(job: ServiceJob, *, today: dt.date, calendar: Calendar, policy: Policy) -> list[OwnerWait]:
    def clock(since: dt.date, limit: int) -> ClockStatus:
        return clock_status(start=since, limit=limit, pauses=(), today=today, calendar=calendar, policy=policy)

    waits = []
    # The first materials are due like a 补正 supply, counted from the contract day.
    if job.status == ServiceJob.Status.WAITING_MATERIALS:
        waits.append(OwnerWait("materials", job.contract_signed_on,
                               clock(job.contract_signed_on, policy.materials_supply_wd)))
    for p in job.pauses.all():
        if p.last_day is None:
            waits.append(OwnerWait("supply", p.first_day, clock(p.first_day, policy.materials_supply_wd), p.pk))
    for d in job.deliverables.all():
        if d.decision == Deliverable.Decision.PENDING:
            waits.append(OwnerWait("decision", d.submitted_on, clock(d.submitted_on, policy.deliverable_decision_wd),
                                   d.pk))
    for e in job.extensions.all():
        # Once the work is accepted an undecided extension is moot: nothing waits on it.
        if e.decision == Extension.Decision.PENDING and job.status != ServiceJob.Status.ACCEPTED:
            # No policy limit for deciding an extension: shown as waiting, never as overdue.
            waits.append(OwnerWait("extension", timezone.localtime(e.requested_at).date(), None, e.pk))
    if job.status == ServiceJob.Status.ACCEPTED and job.rated_on is None and job.accepted_on:
        waits.append(OwnerWait("rating", job.accepted_on, clock(job.accepted_on, policy.rating_deadline_wd)))
    return waits


WAIT_LABELS = {
    "materials": "提供服务资料 / supply the materials",
    "supply": "补正资料 / supply requested materials",
    "decision": "验收成果 / decide on the deliverable",
    "extension": "决定延期申请 / decide on the extension",
    "rating": "评价服务 / rate the service",
}
