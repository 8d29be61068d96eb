"""Route × role matrix: every URL pattern of the project, requested (GET and POST) by each of ten roles.

Generated from the URLconf (`tests.security.matrix.routes`), so a new route is covered automatically
and fails until it is declared in EXPECT (or falls under a declared admin prefix). For each route and
role:

- a role listed as allowed gets the page (status < 400, or 405 on a POST-only route);
- any other role is refused on GET (401/403/404/405 or a redirect to the login page), and its POST
  (empty form, JSON for the API) writes nothing: no audit entry, no row in any table;
- nobody ever gets a server error.

Arguments are filled with party A's objects, so agency B, owner B and the narrow regulator (生态环境;
A's work is 测绘 under 自然资源) are refused A's objects. Routes whose object the world does not build
are declared NOBODY (they answer 404 to everyone) and are counted apart in the printed summary.
"""

from __future__ import annotations

import json
import os

import pytest
from django.core.cache import cache

from tests.security import matrix
from tests.security.matrix import ROLES, routes, url_for
from tests.security.probe import clients, request

ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}
NOBODY = frozenset()
REGULATORS = frozenset({"narrow_regulator", "full_regulator", "operator"})
DECIDING = frozenset({"full_regulator"})          # covers A (region and 自然资源) and decides cases
COVERING = frozenset({"full_regulator", "operator"})
JOB_PARTIES = frozenset({"agency_a", "owner_a", "full_regulator", "operator"})
A, OWNER_A = frozenset({"agency_a"}), frozenset({"owner_a"})
# Routes whose object the world does not build (404 for everyone): declared, but counted apart.
MISSING_OBJECT = {
    "wagtaildocs_serve", "wagtaildocs_authenticate_with_password", "wagtailcore_authenticate_with_password",
    "invitation_accept", "delivery:extension_decide", "delivery:accept", "delivery:return", "delivery:download",
    "agencies:document", "agencies:change_decide", "projects:objection_answer", "projects:contract_file",
    "ratings:appeal_decide", "ratings:complaint_decide", "ratings:review_appeal", "ratings:review_form",
    "ratings:complaint_file", "ratings:enforcement_detail", "ratings:enforcement_confirm",
    "ratings:enforcement_revoke", "ratings:enforcement_file", "search:detail", "api:decide_appeal",
    "api:decide_complaint", "api:api-root",
    # open data: unknown bulk/extension file names (none generated in tests); an unknown ocid
    "opendata:file", "opendata:extension", "api:record",
    # posting attachments and the job thread's files (the world stores no file)
    "projects:attachment", "projects:attachment_remove", "delivery:thread_file",
}

EXPECT: dict[str, frozenset] = {
    # Accounts (allauth) and language.
    "account_login": ALL, "account_logout": ALL, "account_inactive": ALL, "account_signup": ALL,
    "account_email_verification_sent": ALL, "account_reset_password": ALL, "account_confirm_email": ALL,
    "account_reset_password_from_key_done": ALL, "account_reset_password_from_key": ALL,
    "account_reset_password_done": ALL, "set_language": ALL, "switch_language": ALL,
    "account_reauthenticate": LOGGED_IN, "account_email": LOGGED_IN, "account_change_password": LOGGED_IN,
    "account_set_password": LOGGED_IN, "account_confirm_login_code": LOGGED_IN,
    # One login door (marketplace.accounts.views): Wagtail's front-end login sends everyone to allauth's login
    # (a redirect to the login page, which the matrix counts as a refusal), and the Wagtail admin's password
    # reset sends everyone to allauth's reset (unnamed routes under admin/, so declared by pattern).
    "wagtailcore_login": NOBODY, "admin/password_reset/": ALL, "admin/password_reset/<path:rest>": ALL,
    # SSO (allauth socialaccount, OpenID Connect)
    "socialaccount_login_cancelled": ALL,
    "socialaccount_login_error": NOBODY,  # allauth's SSO error page: status 401 for everyone, by design
    "socialaccount_signup": NOBODY,  # no pending SSO sign-up in the session: a redirect to the login page
    # SSO is off unless OIDC_ISSUER/CLIENT_ID/SECRET are set (not in tests): no provider, so 404 to everyone
    "openid_connect_login": NOBODY, "openid_connect_callback": NOBODY,
    "accounts/social/login/cancelled/": ALL, "accounts/social/login/error/": ALL,
    "socialaccount_connections": LOGGED_IN,
    # allauth's old social/ addresses: a permanent redirect to the 3rdparty/ ones, for everyone
    "accounts/social/signup/": ALL, "accounts/social/connections/": ALL,
    # public pages and feeds
    "home": ALL, "wagtail_serve": ALL, "agencies:directory": ALL, "agencies:storefront": ALL,
    "projects:list": ALL, "projects:detail": ALL, "ratings:credit": ALL, "ratings:complaint_public": ALL,
    "ratings:complaint_filed": ALL, "ratings:complaint_track": ALL, "search:page": ALL, "cms:notice_list": ALL,
    "cms:search": ALL, "cms:feed_rss": ALL, "cms:feed_atom": ALL, "cms:sitemap": ALL,
    # open data API
    "api:openapi-json": ALL, "api:openapi-view": ALL, "api:agencies_list": ALL, "api:agencies_detail": ALL,
    "api:list_projects": ALL, "api:project_detail": ALL, "api:agency_credit": ALL, "api:agency_credit_public": ALL,
    "api:agencies": ALL, "api:projects": ALL, "api:anchors_api": ALL,
    "api:project_clarifications": ALL, "api:project_attachments": ALL, "api:releases": ALL,
    "api:my_notifications": LOGGED_IN,
    "opendata:index": ALL, "opendata:keys": LOGGED_IN, "verify_draw_tool": ALL,
    "api:my_ratings": LOGGED_IN, "api:rate": OWNER_A, "api:appeal": A, "api:complain": LOGGED_IN - A,
    "api:apply_repair": A, "api:decide_repair": DECIDING, "api:correct_event": DECIDING,
    # kernel
    "dashboard": LOGGED_IN, "notifications": LOGGED_IN, "dashboard_role": OWNER_A,
    "invite_member": frozenset({"owner_a", "operator"}),
    "notification_settings": LOGGED_IN, "subscriptions": LOGGED_IN,
    # owner A's own message, subscription and API key (POST only): anyone else's request is a 404; the
    # subscription's feed is read by whoever holds its secret token (a feed reader signs in as nobody)
    "notification_read": OWNER_A, "subscription_delete": OWNER_A, "opendata:revoke": OWNER_A,
    "subscription_rss": ALL, "subscription_atom": ALL,
    # service delivery (A's job on owner A's project)
    "delivery:job": JOB_PARTIES, "delivery:materials_complete": OWNER_A, "delivery:pause": A,
    "delivery:supply": OWNER_A, "delivery:extension_request": A, "delivery:deliver": A,
    # the job's thread: its two parties (a regulator reads it only when a case concerns the project; none here)
    "delivery:thread": A | OWNER_A,
    # agencies
    "agencies:apply": LOGGED_IN, "agencies:apply_step": frozenset({"applicant"}) | COVERING,
    "agencies:manage": A, "agencies:review_queue": REGULATORS, "agencies:review_detail": COVERING,
    "agencies:import": frozenset({"operator"}),
    "agencies:import_template": frozenset({"operator"}),
    # projects (owner A's posting)
    "projects:create": frozenset({"owner_a", "owner_b"}), "projects:edit": OWNER_A, "projects:publish": OWNER_A,
    "projects:revise": OWNER_A, "projects:cancel": OWNER_A, "projects:select": OWNER_A,
    "projects:direct": OWNER_A, "projects:republish": OWNER_A, "projects:decide_justification": OWNER_A,
    "projects:end_publicity": OWNER_A, "projects:contract": OWNER_A,
    # the posting flow's preview (owner A's own posting) and agency picker (any owner)
    "projects:preview": OWNER_A, "projects:agency_lookup": frozenset({"owner_a", "owner_b"}),
    "projects:scores": NOBODY,  # the world's posting is a draw: no scores page for anyone
    "projects:register": frozenset({"agency_a", "agency_b"}), "projects:confirm": A, "projects:refuse": A,
    "projects:justify": A, "projects:object": frozenset({"agency_a", "agency_b"}),
    # clarifications are asked by any agency (POST only: 405 to a GET) and answered by the owner; the owner
    # attaches files (POST only)
    # the draw record of A's posting (built in the world): public, like the posting; its checker too
    "projects:draw_record": ALL, "api:project_draw": ALL,
    "projects:clarification_ask": frozenset({"agency_a", "agency_b"}), "projects:attachment_add": OWNER_A,
    "projects:clarification_answer": OWNER_A,
    # ratings, credit and the regulator workspace
    "ratings:my_ratings": frozenset({"owner_a"}) | REGULATORS, "ratings:rate": OWNER_A, "ratings:appeal": A,
    "ratings:complain": LOGGED_IN - A, "ratings:repair_new": A, "ratings:my_reviews": frozenset({"agency_a", "agency_b"}),
    "ratings:workspace": REGULATORS, "ratings:sanctions": REGULATORS, "ratings:appeals": REGULATORS,
    "ratings:complaints": REGULATORS, "ratings:repairs": REGULATORS, "ratings:whatif": REGULATORS,
    "ratings:review_queue": REGULATORS, "ratings:complaint_record": REGULATORS, "ratings:enforcement": REGULATORS,
    "ratings:agency_ledger": COVERING, "ratings:project_history": COVERING,
    "ratings:ledger_correct": DECIDING, "ratings:sanction_lift": DECIDING, "ratings:repair_decide": DECIDING,
    "ratings:enforcement_new": frozenset({"narrow_regulator", "full_regulator"}),
    "ratings:award_new": frozenset({"narrow_regulator", "full_regulator"}),
    "ratings:sanction_new": frozenset({"narrow_regulator", "full_regulator"}),
    # the risk workspace: regulators only (operators run the platform and do not regulate)
    "oversight:flags": frozenset({"narrow_regulator", "full_regulator"}),
    # the flag on A's posting (自然资源): the regulator covering it sees and decides it (review and dismiss are
    # POST only); an agency named in evidence is a redirect to its ledger, which checks the scope itself
    "oversight:flag": DECIDING, "oversight:flag_review": DECIDING, "oversight:flag_dismiss": DECIDING,
    "oversight:flag_case": DECIDING, "oversight:agency": frozenset({"narrow_regulator", "full_regulator"}),
    "admin:logout": ALL,  # the Django admin's logout only redirects
    **dict.fromkeys(MISSING_OBJECT, NOBODY),
}
# Admin sites, declared by URL prefix: the Django admin is for staff (none of these roles); the Wagtail
# admin is the operator's, but for its public helpers (sprite, password reset pages, JS catalogue).
ADMIN_PREFIXES = (("django-admin/", NOBODY), ("admin/", frozenset({"operator"})))
WAGTAIL_PUBLIC = {"wagtailadmin_sprite", "wagtailadmin_password_reset", "wagtailadmin_password_reset_done",
                  "wagtailadmin_password_reset_confirm", "wagtailadmin_password_reset_complete",
                  "wagtailadmin_javascript_catalog"}
# Wagtail's own deliberate error page (/admin/failwhale/ raises to test the 500 template).
DELIBERATE_ERRORS = {"wagtailadmin_error_test"}
REFUSED = {401, 403, 404, 405}

ROUTES = routes()
world_fixture = matrix.world_fixture  # the module-scoped world (built once per module and worker)


def expectation(route) -> frozenset | None:
    if route.name in EXPECT:
        return EXPECT[route.name]
    for prefix, allowed in ADMIN_PREFIXES:
        if route.pattern.startswith(prefix):
            return ALL if route.name in WAGTAIL_PUBLIC else allowed
    return None


@pytest.fixture(scope="module")
def role_clients(world_fixture, django_db_blocker):
    with django_db_blocker.unblock():
        return clients(world_fixture)


def _check(route, role: str, allowed: bool, url: str, client) -> list[str]:
    problems = []
    admin = route.pattern.startswith(("admin/", "django-admin/"))
    method_post = "POST_JSON" if route.name.startswith("api:") else "POST"
    get = request(client, "GET", url)
    if get is None or get.status >= 500:
        problems.append(f"GET {url} as {role}: server error {get and get.status}")
    elif allowed and not admin and (get.status >= 400 and get.status != 405 or get.to_login):
        problems.append(f"GET {url} as {role}: refused ({get.status} {get.location}) but declared allowed")
    elif not allowed and not (get.status in REFUSED or get.to_login):
        problems.append(f"GET {url} as {role}: answered {get.status} {get.location} but must be refused")
    if not allowed and get is not None and get.changed:
        problems.append(f"GET {url} as {role}: refused but wrote {get.changed}")
    if not allowed:
        post = request(client, method_post, url)
        if post is None or post.status >= 500:
            problems.append(f"POST {url} as {role}: server error {post and post.status}")
        elif post.changed:
            problems.append(f"POST {url} as {role}: refused but wrote {post.changed}")
        elif post.status < 300:
            problems.append(f"POST {url} as {role}: answered {post.status} but must be refused")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_route_answers_each_role_as_declared(route, world_fixture, role_clients):
    allowed = expectation(route)
    assert allowed is not None, f"route {route.name} ({route.pattern}) has no declared expectation in EXPECT"
    url = url_for(route, world_fixture)
    problems = []
    for role in ROLES:
        if route.name in DELIBERATE_ERRORS and role in allowed:
            continue
        cache.clear()  # rate limits and page caches must not carry from one request to the next
        problems += _check(route, role, role in allowed, url, role_clients[role])
    assert not problems, "\n".join(problems)


def test_matrix_size_is_reported():
    """Every route is declared; the matrix's size, for the integrator's note."""
    undeclared = [r.name for r in ROUTES if expectation(r) is None]
    missing = sum(1 for r in ROUTES if r.name in MISSING_OBJECT)
    summary = {"routes": len(ROUTES), "roles": len(ROLES), "cells": len(ROUTES) * len(ROLES),
               "routes_without_world_object": missing, "undeclared": undeclared}
    print(f"\nroute matrix: {len(ROUTES)} routes × {len(ROLES)} roles = {summary['cells']} cells "
          f"({missing} routes answer 404 to all: no object in the world)")
    if os.environ.get("ARTIFACTS_DIR"):
        os.makedirs(os.environ["ARTIFACTS_DIR"], exist_ok=True)
        with open(os.path.join(os.environ["ARTIFACTS_DIR"], "route_matrix.json"), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=1)
    assert not undeclared, f"routes without a declared expectation: {undeclared}"
    assert set(EXPECT) - {r.name for r in ROUTES} == set(), "EXPECT names routes that no longer exist"
