"""Who may rate, appeal, complain, apply for repair, decide, and see the regulator's workspace.

Deciding (appeals, complaints, repairs, lifting sanctions) belongs to a regulator whose scope covers
the agency's region and the department concerned; operators run the platform but do not decide cases.
"""

from __future__ import annotations

from marketplace.permissions import is_member, is_operator, is_regulator, public, regulator_covers, rule


def complaint_department(complaint):
    """The department a complaint falls under: its project's, or None (the agency as a whole: any department)."""
    return complaint.project.service_type.department_id if complaint.project_id else None


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
    rating = appeal.rating
    return regulator_covers(user, rating.agency, rating.project.service_type.department_id)


@rule("ratings.complain")
def _complain(user, agency) -> bool:
    # Any logged-in person may complain, except about their own agency.
    return agency is not None and not is_member(user, agency.organisation_id)


@rule("ratings.decide_complaint")
def _decide_complaint(user, complaint) -> bool:
    if complaint is None:
        return False
    return regulator_covers(user, complaint.agency, complaint_department(complaint))


@rule("ratings.apply_repair")
def _apply_repair(user, event) -> bool:
    return event is not None and is_member(user, event.agency.organisation_id)


@rule("ratings.decide_repair")
def _decide_repair(user, application) -> bool:
    return application is not None and regulator_covers(user, application.agency)


@rule("ratings.lift_sanction")
def _lift(user, sanction) -> bool:
    return sanction is not None and regulator_covers(user, sanction.agency)


@rule("ratings.workspace")
def _workspace(user, obj) -> bool:
    return is_regulator(user) or is_operator(user)


@rule("ratings.view_ledger")
def _view_ledger(user, agency) -> bool:
    """The full ledger with causes: the agency itself, an operator, or a regulator covering its region."""
    if agency is None:
        return False
    return (is_member(user, agency.organisation_id) or is_operator(user)
            or regulator_covers(user, agency))


@rule("ratings.view_credit")
@public
def _view_credit(user, agency) -> bool:
    # Grades, scores and the lines behind them are public (信用公示).
    return True
