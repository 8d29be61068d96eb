"""Who may read a job's message thread and a posting's attachments (docs/rules.md §12).

A thread belongs to the project's owner and its agency. The competent regulator (its scope covers the
project's region and department) reads it, read-only, when a case concerns the project: an objection
(projects' own table) or a complaint or appeal. Complaints and appeals live in `ratings`, which
`projects` may not import, so ratings registers the rule `ratings.case_concerns_project`; when it is
missing (ratings not installed) the answer is no (fail closed).
"""

from marketplace.permissions import can, is_member, public, regulator_covers, rule


def _party(user, job) -> bool:
    return is_member(user, job.project.owner_id) or is_member(user, job.agency.organisation_id)


def case_concerns_project(user, project) -> bool:
    """An objection, complaint or appeal names the project (the last two answered by ratings' rule)."""
    if project.objections.exists():
        return True
    try:
        return can(user, "ratings.case_concerns_project", project)
    except KeyError:
        return False


@rule("projects.thread_view")
def _thread_view(user, job) -> bool:
    if job is None:
        return False
    if _party(user, job):
        return True
    project = job.project
    return regulator_covers(user, project, project.service_type.department_id) and case_concerns_project(user, project)


@rule("projects.thread_post")
def _thread_post(user, job) -> bool:
    return job is not None and _party(user, job)


@rule("projects.view_attachment")
@public
def _view_attachment(user, attachment) -> bool:
    """A posting's file is as visible as the posting: public once published, a draft's only to its owner."""
    return attachment is not None and can(user, "projects.view", attachment.project)
