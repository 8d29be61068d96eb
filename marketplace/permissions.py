"""The one place that answers "may this user do this to this object?".

Apps register named rules (`@rule("agencies.edit")`) in their own `permissions.py`, imported from
their AppConfig.ready(); views, API endpoints and admin actions call `can` / `require` and never
re-implement a check. Unknown actions are refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

Kind = str
_rules: dict[str, Callable[[Any, Any], bool]] = {}


def rule(name: str):
    def register(fn: Callable[[Any, Any], bool]):
        _rules[name] = fn
        return fn

    return register


def can(user, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        # Public actions are registered as rules that accept anonymous users explicitly.
        fn = _rules.get(action)
        return bool(fn and getattr(fn, "allow_anonymous", False) and fn(user, obj))
    fn = _rules.get(action)
    if fn is None:
        raise KeyError(f"no permission rule named {action!r}")
    return bool(fn(user, obj))


def require(user, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(f"无权执行此操作 / not allowed: {action}")


def public(fn):
    fn.allow_anonymous = True
    return fn


# ---- predicates shared by every app's rules -------------------------------------------------


def memberships(user):
    """The user's memberships with organisations, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(user.memberships.select_related("organisation"))
        user._membership_cache = cached
    return cached


def organisations(user, kind: Kind | None = None):
    return [m.organisation for m in memberships(user) if kind is None or m.organisation.kind == kind]


def is_member(user, organisation, role: str | None = None) -> bool:
    org_id = getattr(organisation, "pk", organisation)
    return any(m.organisation_id == org_id and (role is None or m.role == role) for m in memberships(user))


def is_org_admin(user, organisation) -> bool:
    return is_member(user, organisation, role="admin")


def is_operator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(organisations(user, "operator"))


def is_regulator(user) -> bool:
    return bool(organisations(user, "regulator"))


def regulator_covers(regulator_org, *, region_code: str | None, department_id: int | None) -> bool:
    """Whether a regulator's scope covers an object in `region_code` under `department_id`.

    An empty scope axis means the whole axis (a province-wide or all-department regulator).
    A region scope covers its descendants.
    """
    from marketplace.reference import region_ancestors

    regions = _scope(regulator_org, "regions")
    departments = _scope(regulator_org, "departments")
    if regions and not (region_code and set(region_ancestors(region_code)) & regions):
        return False
    return not (departments and department_id not in departments)


def _scope(org, axis: str) -> set:
    cache = getattr(org, "_scope_cache", None)
    if cache is None:
        cache = {
            "regions": set(org.scope_regions.values_list("code", flat=True)),
            "departments": set(org.scope_departments.values_list("id", flat=True)),
        }
        org._scope_cache = cache
    return cache[axis]


def user_regulates(user, *, region_code: str | None, department_id: int | None) -> bool:
    """Whether any of the user's regulator organisations covers the object (operators always do)."""
    if is_operator(user):
        return True
    return any(
        regulator_covers(org, region_code=region_code, department_id=department_id)
        for org in organisations(user, "regulator")
    )


# ---- kernel rules ---------------------------------------------------------------------------


@rule("marketplace.operate")
def _operate(user, obj) -> bool:
    return is_operator(user)


@rule("marketplace.manage_members")
def _manage_members(user, organisation) -> bool:
    return organisation is not None and (is_org_admin(user, organisation) or is_operator(user))


@rule("marketplace.view_organisation")
def _view_organisation(user, organisation) -> bool:
    return organisation is not None and (is_member(user, organisation) or is_operator(user))


@rule("marketplace.view_audit")
def _view_audit(user, obj) -> bool:
    return is_operator(user) or is_regulator(user)
