"""Who may rate, appeal, complain, apply for repair, decide, and see the regulator's workspace.

Deciding (appeals, complaints, repairs, lifting sanctions) belongs to a regulator whose scope covers
the agency's region and the department concerned; operators run the platform but do not decide cases.
"""

from __future__ import annotations

from agencies.permissions import project_departments, scope_departments
from marketplace.permissions import can, is_member, is_operator, is_regulator, public, regulator_covers, rule

# Agencies a complaint may name: public ones, and removed ones (their past conduct still matters).
COMPLAINABLE_STATUSES = frozenset({"admitted", "suspended", "removed", "blacklisted"})


def complaint_department(complaint):
    """The department a complaint falls under: its project's, or None (the agency as a whole: any department)."""
    return complaint.project.service_type.department_id if complaint.project_id else None


@project_departments
def _rated_departments(agency):
    """Departments of the projects an agency was rated on (each a project it served), for the regulator scope."""
    from ratings.models import Rating

    return Rating.objects.filter(agency=agency).values_list("project__service_type__department_id", flat=True)


@rule("ratings.rate")
def _rate(user, rating) -> bool:
    return rating is not None and is_member(user, rating.owner_id)


@rule("ratings.appeal")
def _appeal(user, rating) -> bool:
    return rating is not None and is_member(user, rating.agency.organisation_id)


@rule("ratings.decide_appeal")
def _decide_appeal(user, appeal) -> bool:
    if appeal is None:
        return False
    subject = appeal.subject
    if appeal.review_id and subject.reviewed_by_id == getattr(user, "pk", None):
        return False  # whoever reviewed the report does not decide the appeal against it
    return regulator_covers(user, subject.agency, subject.project.service_type.department_id)


@rule("ratings.complain")
def _complain(user, agency) -> bool:
    # Any logged-in person may complain about a public agency, except their own.
    return (agency is not None and agency.status in COMPLAINABLE_STATUSES
            and not is_member(user, agency.organisation_id))


@rule("ratings.decide_complaint")
def _decide_complaint(user, complaint) -> bool:
    if complaint is None:
        return False
    return regulator_covers(user, complaint.region_holder, complaint_department(complaint))


def _own_target(user, target) -> bool:
    """Whether the user acts for the agency, or the owner of the project, complained about."""
    organisation_id = getattr(target, "organisation_id", None) or getattr(target, "owner_id", None)
    return organisation_id is not None and is_member(user, organisation_id)


@rule("ratings.complain_public")
@public
def _complain_public(user, target) -> bool:
    # Anyone, with or without an account, except about their own agency or their own project's owner.
    return target is not None and not _own_target(user, target)


@rule("ratings.record_complaint")
def _record_complaint(user, target) -> bool:
    """A regulator records a complaint received by phone, letter or visit about something in its scope:
    `target` is an agency (any department) or a project (its department)."""
    if target is None:
        return False
    department = target.service_type.department_id if hasattr(target, "service_type_id") else None
    return regulator_covers(user, target, department)


@rule("ratings.view_complaint_files")
def _view_complaint_files(user, complaint) -> bool:
    return _decide_complaint(user, complaint)


@rule("ratings.review_report")
def _review_report(user, review) -> bool:
    """A regulator of the department that approves the matter, covering the project's region."""
    if review is None:
        return False
    project = review.project
    return regulator_covers(user, project, project.service_type.department_id)


@rule("ratings.appeal_review")
def _appeal_review(user, review) -> bool:
    return review is not None and is_member(user, review.agency.organisation_id)


@rule("ratings.apply_repair")
def _apply_repair(user, event) -> bool:
    return event is not None and is_member(user, event.agency.organisation_id)


@rule("ratings.decide_repair")
def _decide_repair(user, application) -> bool:
    return application is not None and covers_agency(user, application.agency)


def agency_departments(agency):
    """The departments an agency works under (its services'), or None when it offers none yet: then the
    regulators of its region cover it whatever their departments."""
    cache = getattr(agency, "_enforcement_departments", None)
    if cache is None:
        cache = set(agency.services.values_list("service_type__department_id", flat=True)) if agency.pk else set()
        agency._enforcement_departments = cache
    return cache or None


def covers_agency(user, agency, department_id=None) -> bool:
    """A regulator covering the agency's region and the department concerned (default: one the agency is
    under, `agencies.permissions.scope_departments`: its services' and its projects')."""
    return regulator_covers(user, agency, department_id if department_id else scope_departments(agency))


@rule("ratings.lift_sanction")
def _lift(user, sanction) -> bool:
    return sanction is not None and covers_agency(user, sanction.agency)


@rule("ratings.impose_sanction")
def _impose(user, agency) -> bool:
    return agency is not None and covers_agency(user, agency)


@rule("ratings.record_enforcement")
def _record_enforcement(user, decision) -> bool:
    """Record a penalty, violation, fraud, serious dishonesty or award: `decision` is the unsaved record
    (its agency and department)."""
    return decision is not None and covers_agency(user, decision.agency, decision.department_id)


@rule("ratings.view_enforcement")
def _view_enforcement(user, decision) -> bool:
    return decision is not None and (is_operator(user) or covers_agency(user, decision.agency,
                                                                        decision.department_id))


@rule("ratings.confirm_enforcement")
def _confirm_enforcement(user, decision) -> bool:
    """双人复核: another member of the body that recorded it, covering the agency."""
    return (decision is not None and getattr(user, "pk", None) != decision.recorded_by_id
            and is_member(user, decision.regulator_id)
            and covers_agency(user, decision.agency, decision.department_id))


@rule("ratings.revoke_enforcement")
def _revoke_enforcement(user, decision) -> bool:
    """Revoke on review: a member of the body that recorded it, covering the agency, who may correct its line."""
    if decision is None or not is_member(user, decision.regulator_id):
        return False
    return (covers_agency(user, decision.agency, decision.department_id)
            and (decision.event_id is None or can(user, "agencies.correct_credit_event", decision.agency)))


@rule("ratings.workspace")
def _workspace(user, obj) -> bool:
    return is_regulator(user) or is_operator(user)


@rule("ratings.view_ledger")
def _view_ledger(user, agency) -> bool:
    """The full ledger with causes and audit history: the agency itself, an operator, or a regulator
    covering it (its region and one of its departments)."""
    if agency is None:
        return False
    return (is_member(user, agency.organisation_id) or is_operator(user)
            or covers_agency(user, agency))


@rule("ratings.view_credit")
@public
def _view_credit(user, agency) -> bool:
    # Grades, scores and the lines behind them are public (信用公示).
    return True


@rule("ratings.case_concerns_project")
def _case_concerns_project(user, project) -> bool:
    """Whether a complaint or an appeal (of the project's rating or report review) concerns `project`:
    projects asks this to open a job's message thread to the competent regulator (projects.thread_view)."""
    from django.db.models import Q

    from ratings.models import Appeal, Complaint

    if project is None:
        return False
    return (Complaint.objects.filter(project=project).exists()
            or Appeal.objects.filter(Q(rating__project=project) | Q(review__project=project)).exists())
