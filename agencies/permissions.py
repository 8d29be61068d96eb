"""Permission rules for agencies (registered with the kernel; check with marketplace.permissions.can/require)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from marketplace import permissions as kernel
from marketplace.permissions import is_member, is_operator, public, regulator_covers, rule

PUBLIC_STATUSES = {"admitted", "suspended", "blacklisted"}
APPLICATION_EDITABLE = {"draft", "rejected"}


def _service_departments(agency) -> set:
    """Departments of the agency's services (uses a prefetched `services__service_type` when present)."""
    cache = getattr(agency, "_departments_cache", None)
    if cache is None:
        cache = {s.service_type.department_id for s in agency.services.all()} if agency.pk else set()
        agency._departments_cache = cache
    return cache


# Apps downstream (projects, ratings) register how to find the departments of the projects an agency
# has worked on; this app cannot import them.
_project_departments: list[Callable[[Any], Iterable]] = []


def project_departments(fn: Callable[[Any], Iterable]) -> Callable[[Any], Iterable]:
    """Register `fn(agency) -> department ids` of projects the agency has served (a decorator)."""
    if fn not in _project_departments:
        _project_departments.append(fn)
    return fn


def scope_departments(agency) -> set:
    """The departments an agency is regulated under: those of the services it offers and of the projects
    it has served (registered with `project_departments`). A regulator scoped to departments covers the
    agency only when one of these is among them (`covers_agency`); an agency under none is covered by
    unscoped regulators only.
    """
    cache = getattr(agency, "_scope_departments_cache", None)
    if cache is None:
        cache = set(_service_departments(agency))
        if agency.pk:
            for fn in _project_departments:
                cache |= set(fn(agency))
        agency._scope_departments_cache = cache
    return cache


def is_agency_member(user, agency) -> bool:
    return agency is not None and is_member(user, agency.organisation_id)


def is_applicant(user, agency) -> bool:
    return agency is not None and agency.applicant_id is not None and agency.applicant_id == getattr(user, "pk", None)


def covers_agency(user, agency) -> bool:
    """A regulator whose scope covers the agency's region and one of its `scope_departments` (the one rule)."""
    return agency is not None and regulator_covers(user, agency, scope_departments(agency))


def regulates_agency(user, agency) -> bool:
    """Operators, or a regulator covering the agency (`covers_agency`)."""
    return is_operator(user) or covers_agency(user, agency)


def check_actor(by, action: str, obj) -> None:
    """Services' guard: a `by` user must hold `action` on `obj`; the system actor (None) is trusted."""
    if by is not None:
        kernel.require(by, action, obj)


@rule("agencies.view_storefront")
@public
def _view_storefront(user, agency) -> bool:
    if agency is None:
        return False
    if agency.status in PUBLIC_STATUSES:
        return True
    return bool(getattr(user, "is_authenticated", False)) and (
        is_agency_member(user, agency) or is_applicant(user, agency) or regulates_agency(user, agency))


@rule("agencies.edit")
def _edit(user, agency) -> bool:
    """Edit the storefront (services, description, cases, regions) and propose regulated changes."""
    return agency is not None and agency.status in {"admitted", "suspended"} and is_agency_member(user, agency)


@rule("agencies.edit_application")
def _edit_application(user, agency) -> bool:
    return (agency is not None and agency.status in APPLICATION_EDITABLE
            and (is_applicant(user, agency) or is_agency_member(user, agency)))


@rule("agencies.view_application")
def _view_application(user, agency) -> bool:
    return agency is not None and (is_applicant(user, agency) or is_agency_member(user, agency)
                                   or regulates_agency(user, agency))


@rule("agencies.view_documents")
def _view_documents(user, agency) -> bool:
    return agency is not None and (is_agency_member(user, agency) or is_applicant(user, agency)
                                   or regulates_agency(user, agency))


@rule("agencies.review")
def _review(user, agency) -> bool:
    return agency is not None and regulates_agency(user, agency)


@rule("agencies.import")
def _import(user, obj) -> bool:
    return is_operator(user)


@rule("agencies.set_status")
def _set_status(user, agency) -> bool:
    return agency is not None and regulates_agency(user, agency)


@rule("agencies.correct_credit_event")
def _correct_credit_event(user, agency) -> bool:
    """Void a ledger line by a correction: a regulator covering the agency as `regulates_agency` scopes it
    (its region and one of its departments); operating the platform is not enough."""
    return covers_agency(user, agency)


def check_editor(by, agency) -> None:
    """Services' guard for edits open both before admission (the application) and after (the storefront)."""
    if by is not None and not (kernel.can(by, "agencies.edit_application", agency)
                               or kernel.can(by, "agencies.edit", agency)):
        kernel.require(by, "agencies.edit", agency)
