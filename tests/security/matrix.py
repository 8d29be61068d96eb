"""The route × role matrix's reusable parts: a fixture world with one user per role, and a URLconf walker.

    from tests.security.matrix import ROLES, build_world, routes, url_for

`routes()` walks the resolver (every URL pattern, named or not); `build_world()` creates, through the
factories and the real services, two agencies (A, B), a draft applicant, two owners (A, B) with a
project each, a narrow (one department) and a full regulator, an operator, and the objects the routes'
arguments name (A's job, rating, ledger line, sanction, repair application…). `url_for(route, world)`
fills a route's arguments with A's objects, so a role that is not A must be refused them.

Used by tests/security/test_route_matrix.py; any test (e.g. a page renderer in both languages) can
build the world once per module with `world_fixture`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "no_org", "applicant", "agency_a", "agency_b", "owner_a", "owner_b",
         "narrow_regulator", "full_regulator", "operator")
MISSING = 999999  # a primary key no row has (a route whose object the world does not build)


@dataclass(frozen=True)
class Route:
    name: str          # "namespace:name", or the full pattern for an unnamed route
    pattern: str       # the full pattern, for messages
    params: tuple      # the argument names (positional regex groups as "0", "1", …)


def _walk(patterns, prefix: str, namespace: str):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            full = prefix + str(p.pattern)
            name = f"{namespace}{p.name}" if p.name else full
            regex = p.pattern.regex
            params = tuple(regex.groupindex) or tuple(str(i) for i in range(regex.groups))
            yield Route(name=name, pattern=full, params=params)


def routes() -> list[Route]:
    """Every URL pattern of the project (names deduplicated: the first pattern of a name wins)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, "", ""):
        seen.setdefault(route.name, route)
    return list(seen.values())


@dataclass
class World:
    users: dict = field(default_factory=dict)    # role → user (None for anonymous)
    objects: dict = field(default_factory=dict)  # name → model instance or value


def _user(org=None, *, email=None, group_operators=False):
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory, member_of

    user = member_of(org) if org is not None else UserFactory(**({"email": email} if email else {}))
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    if group_operators:
        from marketplace.accounts.services import _grant_cms_access

        _grant_cms_access(user)
    return user


def _regulator(name: str, departments=()):
    from marketplace.models import Department, Organisation, Region
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name=name)
    org.scope_regions.set(Region.objects.filter(code="330482"))
    if departments:
        org.scope_departments.set(Department.objects.filter(name__in=departments))
    return _user(org)


def build_world() -> World:
    """The matrix's world (see the module docstring). Call inside a database transaction."""
    from agencies import services as agency_services
    from agencies.models import CreditEvent
    from marketplace.models import Organisation
    from projects import draw
    from projects.delivery import services as delivery
    from ratings import scoring
    from ratings.models import RepairApplication
    from ratings.sanctions import impose_sanction
    from ratings.services import open_rating
    from tests.factories import (
        AgencyFactory,
        AgencyServiceFactory,
        OrganisationFactory,
        ProjectFactory,
        make_resident_id,
        make_uscc,
    )

    w = World()
    o = w.objects
    o["agency_a"], o["agency_b"] = AgencyFactory(name="甲测绘有限公司"), AgencyFactory(name="乙测绘有限公司")
    for agency in (o["agency_a"], o["agency_b"]):
        AgencyServiceFactory(agency=agency)  # 测绘 (自然资源)
    owner_a = OrganisationFactory(kind=Organisation.Kind.OWNER, name="甲业主单位")
    owner_b = OrganisationFactory(kind=Organisation.Kind.OWNER, name="乙业主单位")
    operator = OrganisationFactory(kind=Organisation.Kind.OPERATOR, name="平台运营中心")
    w.users = {
        "anonymous": None, "no_org": _user(), "applicant": _user(),
        "agency_a": _user(o["agency_a"].organisation), "agency_b": _user(o["agency_b"].organisation),
        "owner_a": _user(owner_a), "owner_b": _user(owner_b),
        "narrow_regulator": _regulator("生态环境监管", ["生态环境"]), "full_regulator": _regulator("综合监管"),
        "operator": _user(operator, group_operators=True),
    }
    o["draft"] = agency_services.start_application(
        by=w.users["applicant"], uscc=make_uscc(7001), name="申请中的机构", region="330482", address="平湖市",
        legal_rep_name="王五", legal_rep_id=make_resident_id(7001), today=dt.date(2026, 3, 2))
    o["owner_a"], o["owner_b"] = owner_a, owner_b
    o["project_a"] = ProjectFactory(owner=owner_a, status="contracting", title="甲业主的测绘项目")
    # A's posting was awarded by the public draw (its record is published with the result): A was selected,
    # B having been drawn first and abandoned if the order put B ahead.
    record = draw.build_record(
        project_code=o["project_a"].code, closed_at="2026-03-01T17:00:00+08:00",
        secret="7f3a9c2e5b1d4086a2c4e6f8091b3d5f", beacon="00af",
        eligible=[o["agency_a"].uscc, o["agency_b"].uscc], excluded=[])
    if record["selected"] != o["agency_a"].uscc:
        record = draw.with_abandoned(record, record["selected"])
    o["project_a"].draw_record = record
    o["project_a"].save(update_fields=["draw_record"])
    o["project_b"] = ProjectFactory(owner=owner_b, status="contracting", title="乙业主的测绘项目")
    o["job_a"] = delivery.start_service(project=o["project_a"], agency=o["agency_a"], by=w.users["owner_a"],
                                        contract_signed_on=dt.date(2026, 3, 2), limit_wd=10,
                                        materials_complete_on=dt.date(2026, 3, 2))
    o["rating_a"] = open_rating(project=o["project_a"], agency=o["agency_a"], accepted_on=dt.date(2026, 3, 20))
    o["event_a"] = CreditEvent.objects.create(agency=o["agency_a"], code="penalty_general",
                                              date=dt.date(2025, 6, 1), cause="行政处罚")
    o["sanction_a"] = impose_sanction(agency=o["agency_a"], spec=scoring.SanctionSpec(
        kind="suspend_d", starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 9, 2), cause="信用等级D"))
    o["repair_a"] = RepairApplication.objects.create(
        event=o["event_a"], agency=o["agency_a"], reason="已完成整改并通过复查的情况说明",
        applied_by=w.users["agency_a"], applied_on=dt.date(2026, 3, 2))
    # Owner A's own inbox message, subscription (its feed's secret token) and open-data API key.
    from marketplace import apikeys, notify, subscriptions

    when = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    o["notification_a"] = notify.notify(key="matrix-owner-a", recipients=[w.users["owner_a"]], kind="yellow",
                                        title="期限预警", url=f"/jobs/{o['job_a'].pk}/", now=when)[0]
    o["subscription_a"] = subscriptions.subscribe(by=w.users["owner_a"], name="测绘项目", service_types=["ZR01"],
                                                  regions=["330482"], now=when)
    o["apikey_a"], _secret = apikeys.create_key(by=w.users["owner_a"], name="甲的密钥", now=when)
    # B's question on A's posting, not yet answered (the owner answers it).
    from projects.talk_models import Clarification

    o["clarification_a"] = Clarification.objects.create(
        project=o["project_a"], number=1, question="成果坐标系是否要求2000国家大地坐标系？", asked_at=when,
        asked_by=w.users["agency_b"], agency=o["agency_b"], answer_due=when + dt.timedelta(days=3))
    # A risk flag on A's posting (region 330482, 自然资源): the full regulator's, not the narrow one's.
    from oversight.models import RiskFlag

    o["flag_a"] = RiskFlag.objects.create(
        key=f"single_bidder:{o['project_a'].code}", kind="single_bidder", subject_type="project",
        subject=o["project_a"].code, project=o["project_a"], region_id="330482",
        departments=[o["project_a"].service_type.department_id], severity="medium",
        evidence=["仅一家报名"], first_seen_on=dt.date(2026, 3, 2), last_seen_on=dt.date(2026, 3, 2))
    return w


# Argument values by (route name, parameter), then by parameter alone; A's objects throughout.
def _kwargs(route: Route, w: World) -> dict:
    o = w.objects
    by_route = {
        ("agencies:apply_step", "pk"): o["draft"].pk,
        ("agencies:apply_step", "step"): "basic",
        ("agencies:manage", "pk"): o["agency_a"].pk,
        ("agencies:review_detail", "pk"): o["draft"].pk,
        ("dashboard_role", "role"): "owner",
        ("dashboard_role", "org_id"): o["owner_a"].pk,
        ("invite_member", "org_id"): o["owner_a"].pk,
        ("ratings:rate", "pk"): o["rating_a"].pk,
        ("ratings:appeal", "pk"): o["rating_a"].pk,
        ("ratings:sanction_lift", "pk"): o["sanction_a"].pk,
        ("ratings:repair_decide", "pk"): o["repair_a"].pk,
        ("ratings:project_history", "pk"): o["project_a"].pk,
        ("api:rate", "rating_id"): o["rating_a"].pk,
        ("api:appeal", "rating_id"): o["rating_a"].pk,
        ("api:decide_repair", "repair_id"): o["repair_a"].pk,
        ("search:detail", "kind"): "agency",
        ("search:detail", "key"): o["agency_a"].uscc,
        ("cms:feed_rss", "kind"): "all",
        ("cms:feed_atom", "kind"): "all",
        ("notification_read", "pk"): o["notification_a"].pk,
        ("subscription_delete", "pk"): o["subscription_a"].pk,
        ("subscription_rss", "token"): o["subscription_a"].token,
        ("subscription_atom", "token"): o["subscription_a"].token,
        ("opendata:revoke", "pk"): o["apikey_a"].pk,
        ("oversight:agency", "pk"): o["agency_a"].pk,
        ("projects:clarification_answer", "number"): o["clarification_a"].number,
    }
    by_param = {
        "uscc": o["agency_a"].uscc, "code": o["project_a"].code, "event_id": o["event_a"].pk,
        "token": "no-such-invitation", "key": "no-such-key", "uidb36": "zz", "path": "",
    }
    values = {}
    for param in route.params:
        if (route.name, param) in by_route:
            values[param] = by_route[(route.name, param)]
        elif route.name == "delivery:job" or route.name.startswith("delivery:") and param == "pk":
            values[param] = o["job_a"].pk
        elif route.name.startswith("oversight:flag") and param == "pk":
            values[param] = o["flag_a"].pk
        elif param in by_param:
            values[param] = by_param[param]
        else:
            values[param] = MISSING
    return values


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>|\([^)]*\)")


# Patterns the simple filler below cannot read (nested groups), by route name.
FIXED_URLS = {"wagtail_serve": "/notices/", "wagtaildocs_serve": f"/documents/{MISSING}/file.pdf"}


def url_for(route: Route, w: World) -> str:
    """The route's path with its arguments filled from the world (A's objects)."""
    if route.name in FIXED_URLS:
        return FIXED_URLS[route.name]
    values = _kwargs(route, w)
    positional = iter(values.get(str(i)) for i in range(len(values)))

    def fill(match):
        name = match.group(1) or match.group(2)
        value = values.get(name) if name else next(positional, MISSING)
        return str(value if value is not None else MISSING)

    path = _GROUP.sub(fill, route.pattern)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


@pytest.fixture(scope="module")
def world_fixture(django_db_setup, django_db_blocker):
    """The world, built once per module inside a transaction rolled back at the end of the module."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
