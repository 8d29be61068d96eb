"""Who may rate, appeal, complain, apply for repair, decide, and see the regulator's workspace.

Deciding (appeals, complaints, repairs, lifting sanctions) belongs to a regulator whose scope covers
the agency's region and the department concerned; operators run the platform but do not decide cases.
"""

from __future__ import annotations

from marketplace.permissions import (
    is_member,
    is_operator,
    is_regulator,
    organisations,
    public,
    regulator_covers,
    rule,
)


def regulator_orgs_covering(user, *, region_code: str | None, department_ids: list | None) -> list:
    """The user's regulator organisations whose scope covers the region and one of `department_ids`.

    `department_ids` None means "no particular department" (a case about the agency as a whole):
    then any department scope of the regulator is accepted as long as the region is covered.
    """
    out = []
    for org in organisations(user, "regulator"):
        if department_ids is None:
            if _region_only(org, region_code):
                out.append(org)
        elif any(regulator_covers(org, region_code=region_code, department_id=d) for d in department_ids):
            out.append(org)
    return out


def _region_only(org, region_code) -> bool:
    from marketplace.permissions import _scope
    from marketplace.reference import region_ancestors

    regions = _scope(org, "regions")
    return not regions or bool(region_code and set(region_ancestors(region_code)) & regions)


def regulates(user, *, region_code, department_ids) -> bool:
    return bool(regulator_orgs_covering(user, region_code=region_code, department_ids=department_ids))


def complaint_departments(complaint) -> list | None:
    if complaint.project_id:
        return [complaint.project.service_type.department_id]
    return None


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
    return regulates(user, region_code=rating.agency.region_id,
                     department_ids=[rating.project.service_type.department_id])


@rule("ratings.complain")
def _complain(user, agency) -> bool:
    # Any logged-in person may complain, except about their own agency.
    return agency is not None and not is_member(user, agency.organisation_id)


@rule("ratings.decide_complaint")
def _decide_complaint(user, complaint) -> bool:
    if complaint is None:
        return False
    return regulates(user, region_code=complaint.agency.region_id, department_ids=complaint_departments(complaint))


@rule("ratings.apply_repair")
def _apply_repair(user, event) -> bool:
    return event is not None and is_member(user, event.agency.organisation_id)


@rule("ratings.decide_repair")
def _decide_repair(user, application) -> bool:
    return application is not None and regulates(user, region_code=application.agency.region_id, department_ids=None)


@rule("ratings.lift_sanction")
def _lift(user, sanction) -> bool:
    return sanction is not None and regulates(user, region_code=sanction.agency.region_id, department_ids=None)


@rule("ratings.workspace")
def _workspace(user, obj) -> bool:
    return is_regulator(user) or is_operator(user)


@rule("ratings.view_ledger")
def _view_ledger(user, agency) -> bool:
    """The full ledger with causes: the agency itself, an operator, or a regulator covering its region."""
    if agency is None:
        return False
    return (is_member(user, agency.organisation_id) or is_operator(user)
            or regulates(user, region_code=agency.region_id, department_ids=None))


@rule("ratings.view_credit")
@public
def _view_credit(user, agency) -> bool:
    # Grades, scores and the lines behind them are public (信用公示).
    return True
