"""Reads for delivery: jobs with everything their clocks need, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from marketplace.models import PolicyVersion, Region
from marketplace.permissions import regulator_covers
from marketplace.policy import Policy, current_policy
from marketplace.workdays import Calendar
from projects.clock import ClockStatus

from .models import Deliverable, ServiceJob
from .states import JOB
from .status import OwnerWait, job_clock, owner_waits

AGENCY_ACTIONS = frozenset({"record_materials_complete", "request_pause", "submit_deliverable", "request_extension"})
OWNER_ACTIONS = frozenset({"record_materials_complete", "supply_materials", "return_deliverable", "accept_deliverable",
                           "decide_extension"})


def jobs_with_history(qs: QuerySet | None = None) -> QuerySet:
    """Jobs with project, owner, agency, region, department, pauses, extensions and deliverables (+files)."""
    qs = ServiceJob.objects.all() if qs is None else qs
    return qs.select_related(
        "project__owner", "project__region", "project__service_type__department", "agency__organisation",
    ).prefetch_related(
        "pauses", "extensions",
        Prefetch("deliverables", queryset=Deliverable.objects.prefetch_related("files")),
    )


def job_actions(job: ServiceJob, *, is_owner: bool, is_agency: bool) -> frozenset[str]:
    """The job's transitions open now that this visitor's side may take (what the job page offers)."""
    mine = (OWNER_ACTIONS if is_owner else frozenset()) | (AGENCY_ACTIONS if is_agency else frozenset())
    return JOB.allowed(job) & mine


def open_jobs() -> QuerySet:
    """Jobs someone still has to act on: active ones and accepted ones the owner has not rated."""
    return ServiceJob.objects.filter(Q(status__in=ServiceJob.ACTIVE) | Q(status=ServiceJob.Status.ACCEPTED,
                                                                        rated_on__isnull=True))


@dataclass(frozen=True)
class JobRow:
    job: ServiceJob
    clock: ClockStatus | None
    waits: list[OwnerWait]

    @property
    def state(self) -> str:
        if self.job.status == ServiceJob.Status.ACCEPTED:
            return "done"
        return self.clock.state if self.clock else "waiting"

    @property
    def owner_overdue(self) -> list[OwnerWait]:
        return [w for w in self.waits if w.overdue]

    @property
    def due(self) -> dt.date | None:
        return self.clock.deadline if self.clock else None


def job_policy(job: ServiceJob) -> Policy:
    """The policy a job runs under: the version in force when it started.

    Why not the current one: thresholds and limits are terms of a running service; an operator's
    change applies to services started after it, so a clock never turns red retroactively.
    """
    return policies_for([job]).get(job.policy_version) or current_policy()


def policies_for(jobs) -> dict[int, Policy]:
    """The policy versions the jobs started under, in one query."""
    versions = {job.policy_version for job in jobs}
    if not versions:
        return {}
    return {row.version: Policy(version=row.version, values=row.data, name=row.name)
            for row in PolicyVersion.objects.filter(version__in=versions)}


def rows(jobs, *, today: dt.date, calendar: Calendar, policy: Policy | None = None) -> list[JobRow]:
    """Clock and owner waits per job; each job under its own policy version (`policy` when that is missing)."""
    jobs = list(jobs)
    policies = policies_for(jobs)
    fallback = policy or current_policy()
    out = []
    for job in jobs:
        pol = policies.get(job.policy_version, fallback)
        clock = job_clock(job, today=today, calendar=calendar, policy=pol)
        out.append(JobRow(job, clock, owner_waits(job, today=today, calendar=calendar, policy=pol)))
    return out


def agency_rows(agency_org, **kw) -> list[JobRow]:
    qs = jobs_with_history(ServiceJob.objects.filter(agency__organisation=agency_org, status__in=ServiceJob.ACTIVE))
    return sorted(rows(qs, **kw), key=lambda r: (r.due or dt.date.max, r.job.pk))


def owner_rows(owner_org, **kw) -> list[JobRow]:
    qs = jobs_with_history(open_jobs().filter(project__owner=owner_org))
    return [r for r in rows(qs, **kw) if r.waits]


def in_scope(qs: QuerySet, regulator_org) -> QuerySet:
    """Narrow jobs in SQL to a regulator's regions (with descendants) and departments; empty axis = all."""
    if regulator_org is None:
        return qs
    departments = set(regulator_org.scope_departments.values_list("id", flat=True))
    if departments:
        qs = qs.filter(project__service_type__department_id__in=departments)
    regions = set(regulator_org.scope_regions.values_list("code", flat=True))
    if regions:
        parents = dict(Region.objects.values_list("code", "parent_id"))

        def covered(code):
            seen = set()
            while code and code not in seen:
                if code in regions:
                    return True
                seen.add(code)
                code = parents.get(code)
            return False

        qs = qs.filter(project__region_id__in=[code for code in parents if covered(code)])
    return qs


def regulator_rows(regulator_org, **kw) -> list[JobRow]:
    """In-scope open jobs whose clock is yellow/red or where the owner is late (regulator_org None = all)."""
    out = []
    for r in rows(jobs_with_history(in_scope(open_jobs(), regulator_org)), **kw):
        p = r.job.project
        # The kernel's rule stays the authority; the SQL filter above only keeps the list short.
        if regulator_org is not None and not regulator_covers(
                regulator_org, p, p.service_type.department_id):
            continue
        if r.state in ("yellow", "red") or r.owner_overdue:
            out.append(r)
    return out


def by_region_and_department(items: list[JobRow]) -> list[dict]:
    groups: dict[tuple, list[JobRow]] = defaultdict(list)
    for r in items:
        p = r.job.project
        groups[(p.region.name, p.service_type.department.name)].append(r)
    out = []
    for (region, department), members in sorted(groups.items()):
        out.append({
            "region": region, "department": department,
            "red": [r for r in members if r.state == "red"],
            "yellow": [r for r in members if r.state == "yellow"],
            "owner": [r for r in members if r.owner_overdue],
        })
    return out
