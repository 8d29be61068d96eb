"""The deadline sweep for service jobs: yellow, red and owner-overdue notices, each sent once.

Everything is recomputed from dates, so running it every minute (or never) changes no status; it only
sends what is due. Keys carry the effective limit, so a granted extension gives a fresh warning cycle.
"""

from __future__ import annotations

import datetime as dt

from marketplace.notify import notify, sweeper
from marketplace.workdays import get_calendar

from . import selectors
from .models import ServiceJob
from .services import job_url
from .status import WAIT_LABELS


@sweeper
def sweep_service_jobs(*, today: dt.date) -> int:
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
            created += len(notify(key=f"job:{job.pk}:L{clock.limit}:{clock.state}", recipients=recipients,
                                  kind=clock.state, title=title, body=body, url=url))
        for wait in row.owner_overdue:
            created += len(notify(
                key=f"job:{job.pk}:owner:{wait.kind}:{wait.ref_id or 0}:overdue", recipients=project.owner,
                kind="owner_overdue", title=f"业主处理已逾期：{WAIT_LABELS[wait.kind]}（{project.code}）",
                body=f"自 {wait.since:%Y-%m-%d} 起，应于 {wait.due:%Y-%m-%d} 前完成。", url=url))
    return created
