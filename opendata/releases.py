"""Releases and records, derived from the audit chain (the event stream) and the postings it names.

Each public step of a posting is one audit entry, hence one release (see `opendata.steps`). A record is every
release of one contracting process (one posting, one `ocid`) plus the compiled release merged by `ocdsmerge`
with the merge rules of the release schema (our extension applied)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

import ocdsmerge
from django.conf import settings
from django.db.models import Q

from agencies.models import Agency
from marketplace.models import AuditEntry
from opendata import milestones, standard, steps
from opendata.mapping import PROJECT_LABEL, Facts, ocid
from projects.models import Project, ServiceJob

PROJECT_ACTIONS = tuple(steps.STEPS)
JOB_ACTIONS = tuple(milestones.STEPS)
PUBLIC_ACTIONS = PROJECT_ACTIONS + JOB_ACTIONS
AGENCY_LABEL = "agencies.agency"


def public_entries():
    """The audit entries that publish a release, oldest first (the chain's order)."""
    return AuditEntry.objects.filter(action__in=PUBLIC_ACTIONS).order_by("id")


def project_id(entry) -> int | None:
    if entry.action in JOB_ACTIONS:
        return int(entry.data["project"])
    return int(entry.object_id) if entry.object_type == PROJECT_LABEL else None


def _grades(award_entries: list, agencies: dict) -> dict:
    """(project pk, entry id) → the supplier's grade when the result was published: the `previous` grade of
    its first grade change after the award, or its current grade when it has not changed since."""
    if not award_entries:
        return {}
    after = defaultdict(list)
    changes = (AuditEntry.objects.filter(action="agencies.credit_updated", object_type=AGENCY_LABEL,
                                         object_id__in={str(e.data.get("agency")) for e in award_entries},
                                         id__gt=min(e.pk for e in award_entries))
               .order_by("id").values_list("id", "object_id", "data"))
    for eid, agency_id, data in changes:
        after[int(agency_id)].append((eid, data.get("previous")))
    grades = {}
    for entry in award_entries:
        agency_id = int(entry.data.get("agency"))
        later = [prev for eid, prev in after[agency_id] if eid > entry.pk]
        agency = agencies.get(agency_id)
        grade = later[0] if later else (agency.credit_grade if agency else None)
        grades[(int(entry.object_id), entry.pk)] = grade or None  # '' (not yet graded) is no grade
    return grades


def load_facts(entries: list, project_ids: Iterable[int]) -> Facts:
    """Everything the entries' releases need beyond their payload, in a fixed number of queries."""
    project_ids = {str(pk) for pk in project_ids}
    awards = list(AuditEntry.objects.filter(action="projects.result_published", object_type=PROJECT_LABEL,
                                            object_id__in=project_ids).order_by("id"))
    agency_ids = {int(e.data["agency"]) for e in [*entries, *awards] if e.data.get("agency") is not None}
    agencies = Agency.objects.in_bulk(agency_ids)
    by_project = defaultdict(list)
    for award in awards:
        by_project[int(award.object_id)].append((award.pk, award.data.get("uscc")))
    return Facts(agencies=agencies, awards=dict(by_project), site_url=settings.SITE_URL.rstrip("/"),
                 grades=_grades([e for e in entries if e.action == "projects.result_published"], agencies))


def _projects(ids: Iterable[int]) -> dict[int, Project]:
    rows = (Project.objects.select_related("owner", "service_type", "previous_round")
            .exclude(status=Project.Status.DRAFT))
    return rows.in_bulk(set(ids))


def build_releases(entries: Iterable) -> list[dict]:
    """The releases of these public entries, in the entries' order (entries of drafts publish nothing)."""
    entries = list(entries)
    by_entry = {e.pk: project_id(e) for e in entries}
    projects = _projects(pk for pk in by_entry.values() if pk is not None)
    facts = load_facts(entries, projects)
    out = []
    for entry in entries:
        project = projects.get(by_entry[entry.pk])
        release = steps.build(entry, project, facts) if project is not None else None
        if release is not None:
            out.append(release)
    return out


def entries_of(projects: list[Project]) -> list:
    """The public entries of these postings and of their service jobs, oldest first."""
    jobs = dict(ServiceJob.objects.filter(project__in=projects).values_list("pk", "project_id"))
    query = Q(object_type=PROJECT_LABEL, object_id__in=[str(p.pk) for p in projects], action__in=PROJECT_ACTIONS)
    if jobs:
        query |= Q(object_type="projects.servicejob", object_id__in=[str(j) for j in jobs], action__in=JOB_ACTIONS)
    return list(AuditEntry.objects.filter(query).order_by("id"))


@functools.cache
def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=standard.release_schema())


def compile_record(code: str, releases: list[dict]) -> dict:
    """One OCDS record: the releases (full) and the compiled release merged by ocdsmerge."""
    return {"ocid": ocid(code), "releases": releases,
            "compiledRelease": merger().create_compiled_release(releases)}


def records_for(projects: list[Project]) -> list[dict]:
    """The records of these postings (those with at least one public release), in the given order."""
    grouped = defaultdict(list)
    for release in build_releases(entries_of(projects)):
        grouped[release["ocid"]].append(release)
    return [compile_record(p.code, grouped[ocid(p.code)]) for p in projects if grouped.get(ocid(p.code))]


def project_for_ocid(value: str) -> Project | None:
    prefix = f"ocds-{settings.OCDS_PREFIX}-"
    if not value.startswith(prefix):
        return None
    return _projects_by_code(value[len(prefix):])


def _projects_by_code(code: str) -> Project | None:
    return (Project.objects.select_related("owner", "service_type", "previous_round")
            .exclude(status=Project.Status.DRAFT).filter(code=code).first())
