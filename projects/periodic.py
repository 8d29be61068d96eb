"""Periodic work of the projects app (run by the kernel's `sweep_deadlines`, every minute from cron).

Each job is idempotent: transitions lock the project they move, notices are keyed so each is sent once.
The time-driven transitions act on the real current time (`now`): a replay with another `today` does not
move the clock of a live selection.
"""

from __future__ import annotations

import datetime as dt

from marketplace.notify import as_deadline, notify
from marketplace.notify_registry import regulators_covering
from marketplace.periodic import periodic
from marketplace.workdays import get_calendar


@periodic("projects.transitions")
def transitions(*, today: dt.date, now: dt.datetime) -> int:
    """Close due registration windows, expire unconfirmed offers and low-quote justifications, end publicity."""
    from projects import services

    closed = services.close_due(now)
    return (len(closed) + services.expire_confirmations(now) + services.expire_justifications(now)
            + services.end_publicity_due(now))


@periodic("projects.service_clock")
def service_clock(*, today: dt.date, now: dt.datetime) -> int:
    """Yellow, red and owner-overdue notices for service jobs, each sent once.

    Everything is recomputed from dates, so running it every minute (or never) changes no status; keys
    carry the effective limit, so a granted extension gives a fresh warning cycle.
    """
    from projects.delivery import selectors
    from projects.delivery.models import ServiceJob
    from projects.delivery.services import job_url
    from projects.delivery.status import WAIT_LABELS


    calendar = get_calendar()
    created = 0
    for row in selectors.rows(selectors.jobs_with_history(selectors.open_jobs()), today=today, calendar=calendar):
        job, clock = row.job, row.clock
        project = job.project
        url = job_url(job)
        recipients = [job.agency.organisation, project.owner]
        if clock and job.status in ServiceJob.CLOCK_RUNNING and clock.state != "green":
            if clock.state == "red":
                title = f"服务已超时 {clock.overdue} 个工作日：{project.code}"
            else:
                title = f"服务期限预警：已用 {clock.used}/{clock.limit} 个工作日（{project.code}）"
            body = f"截止日 {clock.deadline:%Y-%m-%d}" + ("" if clock.confirmed else "（节假日数据未确认）")
            if clock.state == "red":  # an overdue job is also the competent regulator's business
                recipients = [*recipients, *regulators_covering(project, project.service_type.department_id)]
            created += len(notify(key=f"job:{job.pk}:L{clock.limit}:{clock.state}", recipients=recipients,
                                  kind=clock.state, title=title, body=body, url=url,
                                  deadline=as_deadline(clock.deadline)))
        for wait in row.owner_overdue:
            created += len(notify(
                key=f"job:{job.pk}:owner:{wait.kind}:{wait.ref_id or 0}:overdue", recipients=project.owner,
                kind="owner_overdue", title=f"业主处理已逾期：{WAIT_LABELS[wait.kind]}（{project.code}）",
                body=f"自 {wait.since:%Y-%m-%d} 起，应于 {wait.due:%Y-%m-%d} 前完成。", url=url))
    return created
