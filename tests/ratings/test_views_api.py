"""Views and API: who may rate (only the contracted owner, once, in the window), appeal, decide, see the
workspace; exports; query counts."""

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from agencies.credit import record_credit_event
from agencies.models import CreditEvent
from marketplace import workdays
from ratings import services
from ratings.models import Appeal, Complaint, Rating
from tests.factories import AgencyFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db

REASON = "交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。"
GOOD = {"quality": 5, "timeliness": 4, "attitude": 5, "fee": 4, "conduct": 5}
UNSAT = {"quality": 3, "timeliness": 3, "attitude": 3, "fee": 2, "conduct": 3}


def login(client, user):
    client.force_login(user)
    return client


def api_rate(client, rating, payload):
    return client.post(f"/api/ratings/ratings/{rating.pk}/rate", data=json.dumps(payload),
                       content_type="application/json")


# ---- rating through the view -------------------------------------------------------------------

def test_rate_view_refuses_everyone_but_the_contracted_owner(client, rating, other_owner_user, agency_user,
                                                             regulator_user, operator_user, plain_user):
    url = f"/credit/ratings/{rating.pk}/"
    assert client.get(url).status_code == 302  # anonymous → login
    for user in (other_owner_user, agency_user, regulator_user, operator_user, plain_user):
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, GOOD).status_code == 403
    assert Rating.objects.get(pk=rating.pk).result == ""


def test_rate_view_owner_once_and_reason_rule(client, rating, owner_user):
    login(client, owner_user)
    url = f"/credit/ratings/{rating.pk}/"
    assert client.get(url).status_code == 200
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    response = client.post(url, UNSAT, follow=True)
    assert "at least 20 characters" in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).result == ""
    response = client.post(url, {**UNSAT, "reason": REASON})
    assert response.status_code == 302
    r = Rating.objects.get(pk=rating.pk)
    assert (str(r.mean), r.result) == ("2.80", "不满意")
    response = client.post(url, GOOD, follow=True)
    assert "already been rated" in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).result == "不满意"


def test_rate_view_refuses_after_deadline(client, project, agency, owner_user):
    old = services.open_rating(project=project, agency=agency, accepted_on=workdays.today() - dt.timedelta(days=60))
    login(client, owner_user)
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    response = client.post(f"/credit/ratings/{old.pk}/", GOOD, follow=True)
    assert "deadline" in response.content.decode()
    assert Rating.objects.get(pk=old.pk).result == ""


# ---- rating through the API --------------------------------------------------------------------

def test_api_rate_roles(client, rating, other_owner_user, agency_user, owner_user):
    assert api_rate(client, rating, GOOD).status_code == 401
    for user in (other_owner_user, agency_user):
        login(client, user)
        assert api_rate(client, rating, GOOD).status_code == 403
    login(client, owner_user)
    response = api_rate(client, rating, {**GOOD})
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "满意" and response.json()["mean"] == "4.60"
    again = api_rate(client, rating, GOOD)
    assert again.status_code == 400 and "already been rated" in again.json()["detail"]


def test_api_rate_window_and_reason(client, project, agency, owner_user):
    old = services.open_rating(project=project, agency=agency, accepted_on=workdays.today() - dt.timedelta(days=60))
    login(client, owner_user)
    response = api_rate(client, old, GOOD)
    assert response.status_code == 400 and "deadline" in response.json()["detail"]
    fresh = services.open_rating(project=ProjectFactory(owner=project.owner), agency=agency,
                                 accepted_on=workdays.today())
    response = api_rate(client, fresh, UNSAT)
    assert response.status_code == 400 and "20" in response.json()["detail"]
    assert api_rate(client, fresh, {**UNSAT, "reason": REASON}).json()["result"] == "不满意"


# ---- appeals and complaints through views: scope -------------------------------------------------

@pytest.fixture
def unsat(rating, owner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_rating(rating=rating, by=owner_user, scores=UNSAT, reason=REASON)
    return Rating.objects.get(pk=rating.pk)


def test_appeal_view_only_agency(client, unsat, owner_user, agency_user):
    url = f"/credit/ratings/{unsat.pk}/appeal/"
    login(client, owner_user)
    assert client.post(url, {"reason": "我方不同意该评价结果的理由如下"}).status_code == 403
    login(client, agency_user)
    assert client.post(url, {"reason": "我方不同意该评价结果的理由如下"}).status_code == 302
    assert Appeal.objects.get(rating=unsat).status == "pending"


def test_out_of_scope_regulator_cannot_decide_appeal_view_or_api(client, unsat, agency_user, other_region_regulator,
                                                                  other_department_regulator, covering_regulator):
    appeal = services.file_appeal(rating=unsat, by=agency_user, reason="我方不同意该评价结果的理由如下")
    for user in (other_region_regulator, other_department_regulator):
        login(client, user)
        assert client.post(f"/credit/regulator/appeals/{appeal.pk}/decide/",
                           {"decision": "uphold", "note": "越权"}).status_code == 403
        r = client.post(f"/api/ratings/appeals/{appeal.pk}/decide", data=json.dumps({"accept": True, "note": "越权"}),
                        content_type="application/json")
        assert r.status_code == 403
        # and the queue does not show it
        assert str(appeal.pk) not in client.get("/credit/regulator/appeals/?format=csv").content.decode().split(",")[0]
        assert appeal.rating.project.code not in client.get("/credit/regulator/appeals/").content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "pending"
    login(client, covering_regulator)
    assert unsat.project.code in client.get("/credit/regulator/appeals/").content.decode()
    assert client.post(f"/credit/regulator/appeals/{appeal.pk}/decide/",
                       {"decision": "reject", "note": "评价属实"}).status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "rejected"


def test_out_of_scope_regulator_cannot_decide_complaint(client, agency, project, owner_user, other_region_regulator,
                                                         other_department_regulator, covering_regulator):
    services.open_rating(project=project, agency=agency, accepted_on=workdays.today())
    c = services.file_complaint(agency=agency, by=owner_user, text="项目负责人多次无故缺席现场踏勘。", project=project)
    for user in (other_region_regulator, other_department_regulator):
        login(client, user)
        assert client.post(f"/credit/regulator/complaints/{c.pk}/decide/",
                           {"decision": "verified", "response": "越权"}).status_code == 403
        r = client.post(f"/api/ratings/complaints/{c.pk}/decide",
                        data=json.dumps({"accept": True, "note": "越权"}), content_type="application/json")
        assert r.status_code == 403
    assert Complaint.objects.get(pk=c.pk).status == "open"
    login(client, covering_regulator)
    assert client.post(f"/credit/regulator/complaints/{c.pk}/decide/",
                       {"decision": "verified", "response": "属实"}).status_code == 302
    assert CreditEvent.objects.filter(agency=agency, code="complaint").exists()


def test_complaint_view_and_api(client, agency, plain_user, agency_user):
    url = f"/credit/agencies/{agency.uscc}/complain/"
    assert client.get(url).status_code == 302
    r = client.post("/api/ratings/complaints", data=json.dumps({"agency": agency.uscc, "text": "x" * 20}),
                    content_type="application/json")
    assert r.status_code == 401
    login(client, agency_user)
    assert client.get(url).status_code == 403
    login(client, plain_user)
    assert client.post(url, {"text": "网站公示的业绩与实际情况不符。"}).status_code == 302
    assert Complaint.objects.get().source == "public"
    r = client.post("/api/ratings/complaints", data=json.dumps({"agency": agency.uscc, "text": "短"}),
                    content_type="application/json")
    assert r.status_code == 400 and "at least 10" in r.json()["detail"]


# ---- workspace: refused roles, scope, exports, query counts --------------------------------------

WORKSPACE_URLS = ["/credit/regulator/", "/credit/regulator/sanctions/", "/credit/regulator/appeals/",
                  "/credit/regulator/complaints/", "/credit/regulator/repairs/", "/credit/regulator/what-if/"]


@pytest.mark.parametrize("url", WORKSPACE_URLS)
def test_workspace_refuses_non_regulators(client, url, owner_user, agency_user, plain_user, regulator_user):
    assert client.get(url).status_code == 403
    for user in (owner_user, agency_user, plain_user):
        login(client, user)
        assert client.get(url).status_code == 403
    login(client, regulator_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/credit/regulator/appeals/1/decide/", "/credit/regulator/complaints/1/decide/",
                                 "/credit/regulator/repairs/1/decide/", "/credit/regulator/sanctions/1/lift/"])
def test_decisions_refuse_non_regulators(client, url, owner_user, agency_user):
    assert client.post(url).status_code == 403
    for user in (owner_user, agency_user):
        login(client, user)
        assert client.post(url).status_code == 403


def test_ledger_and_history_scope(client, agency, project, covering_regulator, other_region_regulator, owner_user):
    record_credit_event(agency=agency, code="violation", date=workdays.today(), cause="违规")
    ledger = f"/credit/regulator/agencies/{agency.uscc}/"
    history = f"/credit/regulator/projects/{project.pk}/history/"
    login(client, owner_user)
    assert client.get(ledger).status_code == 403
    login(client, other_region_regulator)
    assert client.get(ledger).status_code == 403
    assert client.get(history).status_code == 404
    login(client, covering_regulator)
    assert "违规" in client.get(ledger).content.decode()
    assert client.get(history).status_code == 200


def test_workspace_scope_and_filters(client, covering_regulator, other_region_regulator):
    from tests.factories import AgencyServiceFactory

    mine = AgencyServiceFactory().agency
    elsewhere = AgencyServiceFactory(agency=AgencyFactory(region_id="330421")).agency
    login(client, covering_regulator)
    body = client.get("/credit/regulator/").content.decode()
    assert mine.uscc in body and elsewhere.uscc not in body
    login(client, other_region_regulator)
    body = client.get("/credit/regulator/").content.decode()
    assert elsewhere.uscc in body and mine.uscc not in body
    body = client.get("/credit/regulator/?grade=D").content.decode()
    assert elsewhere.uscc not in body
    assert "<svg" in body


def test_exports_are_injection_safe(client, regulator_user):
    AgencyFactory(name="=HYPERLINK(\"http://x\")")
    AgencyFactory(name="@SUM(1+1)")
    login(client, regulator_user)
    text = client.get("/credit/regulator/?format=csv").content.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert "'=HYPERLINK(\"http://x\")" in names and "'@SUM(1+1)" in names
    response = client.get("/credit/regulator/?format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in cells
    for url in WORKSPACE_URLS[1:5]:
        for fmt in ("csv", "xlsx"):
            assert client.get(url + f"?format={fmt}").status_code == 200


def test_workspace_query_count_is_fixed(client, regulator_user, django_assert_max_num_queries):
    login(client, regulator_user)
    for _ in range(3):
        AgencyFactory()
    client.get("/credit/regulator/")
    with django_assert_max_num_queries(20) as small:
        client.get("/credit/regulator/")
    for _ in range(15):
        AgencyFactory()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/credit/regulator/")


def test_appeals_queue_query_count(client, regulator_user, owner_org, django_assert_max_num_queries):
    def make():
        agency = AgencyFactory()
        rating = services.open_rating(project=ProjectFactory(owner=owner_org), agency=agency,
                                      accepted_on=workdays.today())
        services.record_rating(rating=rating, by=member_of(owner_org), scores=UNSAT, reason=REASON)
        services.file_appeal(rating=rating, by=member_of(agency.organisation), reason="我方不同意该评价结果的理由如下")

    make()
    login(client, regulator_user)
    client.get("/credit/regulator/appeals/")
    with django_assert_max_num_queries(20) as small:
        client.get("/credit/regulator/appeals/")
    for _ in range(5):
        make()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/credit/regulator/appeals/")


def test_whatif_preview(client, regulator_user, agency):
    record_credit_event(agency=agency, code="violation", date=workdays.today(), cause="违规")
    record_credit_event(agency=agency, code="violation", date=workdays.today(), cause="违规2", cause_obj=AgencyFactory())
    login(client, regulator_user)
    body = client.get("/credit/regulator/what-if/?run=1&d_violation=15").content.decode()
    assert "变化的机构：1" in body
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    bad = client.get("/credit/regulator/what-if/?run=1&d_violation=abc", follow=True).content.decode()
    assert "must be a whole number" in bad
    csv_body = client.get("/credit/regulator/what-if/?run=1&d_violation=15&format=csv").content.decode("utf-8-sig")
    assert f"{agency.uscc},{agency.name},60,C,70,C" in csv_body


# ---- explain --------------------------------------------------------------------------------

def test_credit_api_and_page(client, agency):
    today = workdays.today()
    record_credit_event(agency=agency, code="violation", date=today, cause="违规经营")
    record_credit_event(agency=agency, code="eval_basic", date=today, cause="评价基本满意", cause_obj=AgencyFactory())
    record_credit_event(agency=agency, code="complaint", date=today - dt.timedelta(days=500), cause="旧投诉")
    data = client.get(f"/api/ratings/agencies/{agency.uscc}/credit?as_of={today}").json()
    assert (data["score"], data["grade"], data["forced"]) == (78, "C", False)
    assert [(ln["code"], ln["points"], ln["counted"]) for ln in data["lines"]] == [
        ("complaint", 0, False), ("eval_basic", -2, True), ("violation", -20, True)]
    assert data["lines"][1]["cause_type"] == "agencies.agency"
    assert client.get("/api/ratings/agencies/91000000000000000X/credit").status_code == 404
    page = client.get(f"/credit/agencies/{agency.uscc}/").content.decode()
    assert "违规经营" in page and 'id="credit-score">78<' in page


def test_agencies_credit_router_serves_same_payload(rf, agency):
    from ratings.api import agency_credit_public, credit_explained

    request = rf.get("/")
    assert agency_credit_public(request, agency.uscc) == credit_explained(agency.uscc)


def test_repair_view_roles_and_refusal_message(client, agency, agency_user, owner_user):
    today = workdays.today()
    penalty = record_credit_event(agency=agency, code="penalty_general", date=today - dt.timedelta(days=120),
                                  cause="行政处罚")
    platform = record_credit_event(agency=agency, code="overdue_major", date=today - dt.timedelta(days=120),
                                   cause="严重超时", cause_obj=AgencyFactory())
    url = f"/credit/ledger/{penalty.pk}/repair/"
    assert client.get(url).status_code == 302
    login(client, owner_user)
    assert client.get(url).status_code == 403
    login(client, agency_user)
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    body = client.post(f"/credit/ledger/{platform.pk}/repair/", {"reason": "已整改完毕并提交报告。"}).content.decode()
    assert "platform-made deductions cannot be repaired" in body
    assert client.post(url, {"reason": "已整改完毕并缴纳罚款，提交整改报告。"}).status_code == 302
    assert penalty.repairs.get().status == "pending"


def test_my_ratings_roles(client, rating, owner_user, plain_user):
    assert client.get("/credit/ratings/").status_code == 302
    login(client, plain_user)
    assert client.get("/credit/ratings/").status_code == 403
    login(client, owner_user)
    body = client.get("/credit/ratings/").content.decode()
    assert rating.project.code in body and f"/credit/ratings/{rating.pk}/" in body


def test_dashboard_panels_render(client, rating, owner_user, agency_user, regulator_user):
    for user, kind, org in [(owner_user, "owner", rating.owner), (agency_user, "agency", rating.agency.organisation),
                            (regulator_user, "regulator", regulator_user.memberships.get().organisation)]:
        login(client, user)
        response = client.get(f"/dashboard/{kind}/{org.pk}/")
        assert response.status_code == 200
    assert "/credit/regulator/" in response.content.decode()


def test_api_repair_and_decide(client, agency, agency_user, covering_regulator, other_region_regulator):
    penalty = record_credit_event(agency=agency, code="penalty_general",
                                  date=workdays.today() - dt.timedelta(days=120), cause="行政处罚")
    login(client, agency_user)
    r = client.post("/api/ratings/repairs", data=json.dumps({"event": penalty.pk, "reason": "已整改完毕并缴纳罚款。"}),
                    content_type="application/json")
    assert r.status_code == 200, r.content
    rid = r.json()["id"]
    login(client, other_region_regulator)
    r = client.post(f"/api/ratings/repairs/{rid}/decide", data=json.dumps({"accept": True, "note": "同意"}),
                    content_type="application/json")
    assert r.status_code == 403
    login(client, covering_regulator)
    r = client.post(f"/api/ratings/repairs/{rid}/decide", data=json.dumps({"accept": True, "note": "同意"}),
                    content_type="application/json")
    assert r.json()["status"] == "approved"
    assert CreditEvent.objects.get(pk=penalty.pk).state == "repaired"
