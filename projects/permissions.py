"""Who may do what to a project (registered with the kernel's permission registry)."""

from marketplace.permissions import is_member, is_operator, organisations, public, regulator_covers, rule
from projects.states import PUBLIC_STATUSES


def _owner_member(user, project) -> bool:
    return project is not None and is_member(user, project.owner_id)


@rule("projects.view")
@public
def _view(user, project) -> bool:
    """Published-or-later postings are public; drafts only for the owner and operators."""
    if project is None:
        return False
    if project.status in PUBLIC_STATUSES:
        return True
    return bool(getattr(user, "is_authenticated", False)) and (_owner_member(user, project) or is_operator(user))


@rule("projects.create")
def _create(user, owner_org) -> bool:
    return owner_org is not None and owner_org.kind == "owner" and is_member(user, owner_org)


@rule("projects.edit")
def _edit(user, project) -> bool:
    """Owner-side actions (edit, publish, revise, cancel, run selection, scores, contract)."""
    return _owner_member(user, project)


@rule("projects.register")
def _register(user, agency) -> bool:
    """Agency-side actions on behalf of `agency` (register, quote, confirm, refuse, justify, object)."""
    return agency is not None and is_member(user, agency.organisation_id)


def _regulates_project(user, project) -> bool:
    return is_operator(user) or regulator_covers(user, project, project.service_type.department_id)


@rule("projects.answer_objection")
def _answer_objection(user, objection) -> bool:
    return objection is not None and bool(organisations(user, "regulator")) and \
        _regulates_project(user, objection.project)


@rule("projects.view_contract")
def _view_contract(user, project) -> bool:
    if project is None:
        return False
    if _owner_member(user, project) or is_operator(user):
        return True
    if project.selected_id and is_member(user, project.selected.agency.organisation_id):
        return True
    return bool(organisations(user, "regulator")) and _regulates_project(user, project)
