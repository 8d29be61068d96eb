"""Who may see and act on a service job (object-level)."""

from agencies.permissions import project_departments
from marketplace.permissions import is_member, is_operator, regulator_covers, rule


@project_departments
def _served_departments(agency):
    """Departments of the projects an agency has served (its service jobs), for the regulator scope."""
    from projects.delivery.models import ServiceJob

    return ServiceJob.objects.filter(agency=agency).values_list("project__service_type__department_id", flat=True)


def _job(obj):
    return getattr(obj, "job", obj)


def is_job_agency(user, job) -> bool:
    return is_member(user, job.agency.organisation_id)


def is_job_owner(user, job) -> bool:
    return is_member(user, job.project.owner_id)


@rule("projects.job_view")
def _view(user, obj) -> bool:
    job = _job(obj)
    if job is None:
        return False
    if is_job_agency(user, job) or is_job_owner(user, job) or is_operator(user):
        return True
    project = job.project
    return is_operator(user) or regulator_covers(user, project, project.service_type.department_id)


@rule("projects.job_agency")
def _agency(user, obj) -> bool:
    job = _job(obj)
    return job is not None and is_job_agency(user, job)


@rule("projects.job_owner")
def _owner(user, obj) -> bool:
    job = _job(obj)
    return job is not None and is_job_owner(user, job)


@rule("projects.job_start")
def _start(user, project) -> bool:
    return project is not None and (is_member(user, project.owner_id) or is_operator(user))
