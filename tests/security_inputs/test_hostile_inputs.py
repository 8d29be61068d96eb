"""Issue 14, finding 9: hostile input never gives a server error and never writes anything.

One table, parametrised over endpoints and payloads. Each case states who sends it; the test asserts a
4xx (or a 200/302 re-rendering a form error) and that no table grew and no audit entry was written. The
table is printed (`-s`) so the integrator can report "N hostile inputs, 0 server errors, 0 partial writes".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.utils import timezone

from agencies.models import Agency
from marketplace.models import AuditEntry, Membership
from tests.agencies.factories import complete_application
from tests.factories import UserFactory, member_of
from tests.projects.factories import eligible_agency, make_published

pytestmark = pytest.mark.django_db

BAD_DATES = ["0001-01-01", "9999-12-31", "2026-13-45", "1E+26", "-1"]
BAD_MONEY = ["1E+26", "99999999999999999999", "NaN", "Infinity", "-1", "1e-30"]
BAD_INTS = ["99999999999", "99999", "-5", "²", "1.5", "1e9"]
LONG_EMAIL = "a" * 290 + "@example.cn"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: str            # may hold {uscc}, {code}, {org}, {draft}
    data: dict
    who: str = "anon"   # anon | agency | owner | applicant | operator | regulator

    def __str__(self) -> str:
        return self.name


def _cases() -> list[Case]:
    cases = []
    for value in BAD_DATES:
        cases += [Case(f"api credit as_of={value}", "get", "/api/agencies/{uscc}/credit", {"as_of": value}),
                  Case(f"credit page as_of={value}", "get", "/credit/agencies/{uscc}/", {"as_of": value}),
                  Case(f"ratings api credit as_of={value}", "get", "/api/ratings/agencies/{uscc}/credit",
                       {"as_of": value}),
                  Case(f"regulator ledger as_of={value}", "get", "/credit/regulator/agencies/{uscc}/",
                       {"as_of": value}, "regulator"),
                  Case(f"regulator what-if as_of={value}", "get", "/credit/regulator/what-if/",
                       {"as_of": value, "run": "1"}, "regulator"),
                  Case(f"enforcement decided_on={value}", "post", "/credit/regulator/enforcement/new/",
                       {"uscc": "{uscc}", "code": "violation", "document_number": "平审罚〔2026〕1号",
                        "decided_on": value, "deciding_body": "平湖市行政审批局", "legal_basis": "条例",
                        "summary": "事实", "organisation": "{regulator_org}"}, "regulator"),
                  Case(f"sanction ends_on={value}", "post", "/credit/regulator/sanctions/new/",
                       {"uscc": "{uscc}", "kind": "suspension", "ends_on": value, "reason": "理由"}, "regulator")]
    for value in BAD_MONEY:
        cases += [Case(f"quote={value}", "post", "/projects/{code}/register/", {"quote": value}, "agency"),
                  Case(f"posting ceiling={value}", "post", "/projects/new/", {"ceiling": value}, "owner"),
                  Case(f"service price_min={value}", "post", "/agencies/apply/{draft}/services/",
                       {"service_type": "ZR01", "fee_basis": "fixed", "price_min": value, "price_max": "5000",
                        "time_limit_wd": "10"}, "applicant")]
    for value in BAD_INTS:
        cases += [Case(f"posting requested_limit_wd={value}", "post", "/projects/new/",
                       {"requested_limit_wd": value}, "owner"),
                  Case(f"posting qualification level={value}", "post", "/projects/new/",
                       {"qual-TOTAL_FORMS": "1", "qual-INITIAL_FORMS": "0",
                        "qual-0-qualification_type": "测绘资质", "qual-0-min_level": value}, "owner"),
                  Case(f"posting practitioners count={value}", "post", "/projects/new/",
                       {"prac-TOTAL_FORMS": "1", "prac-INITIAL_FORMS": "0",
                        "prac-0-kind": "注册测绘师", "prac-0-count": value}, "owner"),
                  Case(f"service time_limit_wd={value}", "post", "/agencies/apply/{draft}/services/",
                       {"service_type": "ZR01", "fee_basis": "fixed", "price_min": "100", "price_max": "5000",
                        "time_limit_wd": value}, "applicant"),
                  Case(f"qualification level={value}", "post", "/agencies/apply/{draft}/qualifications/",
                       {"qualification_type": "测绘资质", "level": value, "number": "乙测资字1"}, "applicant"),
                  Case(f"case year={value}", "post", "/agencies/manage/{agency}/",
                       {"op": "case", "title": "平湖大道测绘", "year": value}, "agency"),
                  Case(f"api page={value}", "get", "/api/projects", {"page": value}),
                  Case(f"api agencies page={value}", "get", "/api/agencies", {"page": value})]
    cases += [
        Case("public complaint 300-char email", "post", "/credit/complaints/new/",
             {"target": "agency", "agency": "{uscc}", "text": "投诉内容" * 10, "email": LONG_EMAIL}),
        Case("invite 300-char email", "post", "/org/{org}/invite/", {"email": LONG_EMAIL, "role": "staff"}, "owner"),
        Case("signup 300-char email", "post", "/accounts/signup/",
             {"email": LONG_EMAIL, "password1": "Xy-9-long-pass", "password2": "Xy-9-long-pass"}),
        Case("password reset 300-char email", "post", "/accounts/password/reset/", {"email": LONG_EMAIL}),
        Case("login 300-char email", "post", "/accounts/login/", {"login": LONG_EMAIL, "password": "x"}),
        Case("application 300-char address", "post", "/agencies/apply/",
             {"name": "平湖测绘", "uscc": "91330482MA0000009X", "region": "330482", "address": "路" * 301}, "applicant"),
        Case("posting title 10,000 chars", "post", "/projects/new/", {"title": "测" * 10_000}, "owner"),
        Case("directory q 10,000 chars", "get", "/agencies/", {"q": "测" * 10_000}),
        Case("search api region junk", "get", "/api/search/agencies", {"region": "'; DROP TABLE x; --"}),
        Case("projects api region junk", "get", "/api/projects", {"region": "9" * 400}),
    ]
    return cases


CASES = _cases()
POSTING = {"title": "平湖市某地块测绘", "service_type": "ZR01", "region": "330482", "scope": "x", "ceiling": "100000",
           "funding": "fiscal", "method": "draw", "requested_limit_wd": "10", "qual_mode": "all"}


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for app in ("marketplace", "agencies", "projects", "ratings")
            for m in apps.get_app_config(app).get_models()}


@pytest.fixture
def world(owner_user, owner_org, regulator_user, regulator_org):
    agency = eligible_agency(status=Agency.Status.ADMITTED)
    project = make_published(owner_user, owner_org, method="lowest", now=timezone.now())
    applicant = UserFactory(name="申请人")
    draft = complete_application(applicant, today=dt.date.today())
    operator = member_of(__import__("tests.factories", fromlist=["OrganisationFactory"]).OrganisationFactory(
        kind="operator"), role=Membership.Role.ADMIN)
    return {"uscc": agency.uscc, "code": project.code, "org": owner_org.pk, "draft": draft.pk, "agency": agency.pk,
            "regulator_org": regulator_org.pk,
            "users": {"agency": agency.user, "owner": owner_user, "applicant": applicant, "operator": operator,
                      "regulator": regulator_user}}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input_is_refused_without_a_server_error_or_a_write(client, world, case):
    client.raise_request_exception = False
    if case.who != "anon":
        client.force_login(world["users"][case.who])
    url = case.url.format(**world)
    data = {k: v.format(**world) if isinstance(v, str) and v.startswith("{") else v for k, v in case.data.items()}
    if case.url == "/projects/new/":
        data = {**POSTING, "org": world["org"], **data}
    before, audit_before = _counts(), AuditEntry.objects.count()
    resp = getattr(client, case.method)(url, data)
    assert resp.status_code < 500, f"{case}: server error {resp.status_code}"
    assert AuditEntry.objects.count() == audit_before, f"{case}: an audit entry was written"
    grown = {k: v - before[k] for k, v in _counts().items() if v != before[k] and k != "marketplace.Notification"}
    assert not grown, f"{case}: rows written {grown}"


def test_print_hostile_input_table(capsys):
    """`pytest -s` prints the table the integrator reports (each case is one test above)."""
    with capsys.disabled():
        print(f"\nhostile inputs: {len(CASES)} cases over {len({c.url for c in CASES})} endpoints")  # noqa: T201
        for case in CASES:
            print(f"  {case.method.upper():4} {case.url:45} {case.who:9} {case.name}")  # noqa: T201
    assert len({c.name for c in CASES}) == len(CASES)
