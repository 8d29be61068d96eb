"""The one place that answers "may this user do this to this object?".

Apps register named rules (`@rule("agencies.edit")`) in their own `permissions.py`, imported from
their AppConfig.ready(); views, API endpoints and admin actions call `can` / `require` and never
re-implement a check. Unknown actions are refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
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


def regulator_covers(who, region, department_id=None) -> bool:
    """The one scope rule: whether a regulator covers something in `region` under `department_id`.

    `who` is a regulator Organisation, or a user (covered when any of their regulator organisations
    covers it; operating the platform is not regulating: permission rules add operators themselves).
    `region` is a region code or an object with a `region_id` (an agency, a project). `department_id`
    is one department id, a collection of ids (covered under any of them; an empty collection means
    "under no department"), or None for any department. An empty scope axis covers the whole axis; a
    region scope covers the regions below it.
    """
    from marketplace.models import Organisation

    region_code = getattr(region, "region_id", region)
    orgs = [who] if isinstance(who, Organisation) else organisations(who, "regulator")
    return any(_org_covers(org, region_code, department_id) for org in orgs)


def _org_covers(org, region_code: str | None, department_id) -> bool:
    from marketplace.reference import region_ancestors

    regions, departments = scope_of(org)
    if regions and not (region_code and set(region_ancestors(region_code)) & regions):
        return False
    if department_id is None or not departments:
        return True
    if isinstance(department_id, Collection) and not isinstance(department_id, str):
        return bool(set(department_id) & departments)
    return department_id in departments


def scope_of(org) -> tuple[set, set]:
    """A regulator organisation's (region codes, department ids); cached on the instance."""
    cache = getattr(org, "_scope_cache", None)
    if cache is None:
        cache = org._scope_cache = (set(org.scope_regions.values_list("code", flat=True)),
                                    set(org.scope_departments.values_list("id", flat=True)))
    return cache


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
