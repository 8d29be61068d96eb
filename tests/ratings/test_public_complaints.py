"""The public complaint channel: the form without an account (bad input, CSRF, honeypot, throttles), routing,
complaints about an owner's conduct, complaints a regulator records, tracking numbers, attachments, links."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from agencies.models import CreditEvent
from marketplace import audit
from ratings import public_complaints as pc
from ratings import services
from ratings.models import TRACKING_LENGTH, Complaint, ComplaintFile
from tests.delivery.files import PDF, pdf
from tests.factories import AgencyFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/credit/complaints/new/"
TRACK = "/credit/complaints/track/"
RECORD = "/credit/regulator/complaints/record/"
TEXT = "该机构在项目现场勘测时未按规范操作，并向我索要额外费用。"


def login(client, user):
    client.force_login(user)
    return client


def form(agency=None, project=None, **extra):
    data = {"target": "agency", "agency": agency.uscc if agency else "", "project": project.code if project else "",
            "name": "张三", "phone": "13800138000", "email": "", "text": TEXT, "website": ""}
    data.update(extra)
    return data


def post(client, data, ip="10.0.0.1", **kwargs):
    return client.post(URL, data, REMOTE_ADDR=ip, **kwargs)


@pytest.fixture(autouse=True)
def _english(client):
    """The refusals below are checked by their English wording: pages show one language, so ask for English."""
    client.cookies["django_language"] = "en"


@pytest.fixture
def published(owner_org):
    return ProjectFactory(owner=owner_org, status="in_service")


# ---- the public form ----------------------------------------------------------------------------

def test_the_form_needs_no_account_and_names_the_agency(client, agency):
    response = client.get(URL, {"agency": agency.uscc})
    assert response.status_code == 200
    body = response.content.decode()
    assert agency.name in body and 'name="website"' in body and "csrfmiddlewaretoken" in body


def test_an_anonymous_complaint_is_routed_and_gets_a_tracking_number(client, agency, covering_regulator,
                                                                     other_region_regulator):
    response = post(client, form(agency))
    assert response.status_code == 302 and response["Location"] == "/credit/complaints/filed/"
    c = Complaint.objects.get()
    assert (c.target, c.agency, c.project, c.source, c.channel) == ("agency", agency, None, "public", "web")
    assert (c.complainant, c.recorded_by, c.contact_name, c.contact_phone) == (None, None, "张三", "13800138000")
    assert c.regulator == covering_regulator.memberships.get().organisation
    assert len(c.tracking_code) == TRACKING_LENGTH
    entry = audit.history(c).get()
    assert entry.action == "ratings.complaint_filed" and entry.actor is None
    assert (entry.data["channel"], entry.data["target"], entry.data["agency"]) == ("web", "agency", agency.pk)
    assert "13800138000" not in str(entry.data) and c.tracking_code not in str(entry.data)
    shown = client.get("/credit/complaints/filed/").content.decode()
    assert c.tracking_code in shown
    assert client.get("/credit/complaints/filed/")["Location"] == TRACK  # shown once
    # It reaches the competent regulator's queue, not another region's.
    assert TEXT in login(client, covering_regulator).get("/credit/regulator/complaints/").content.decode()
    assert TEXT not in login(client, other_region_regulator).get("/credit/regulator/complaints/").content.decode()


def test_attachments_are_checked_by_content(client, agency):
    response = post(client, {**form(agency), "files": [pdf("现场照片.pdf")]})
    assert response.status_code == 302
    (f,) = ComplaintFile.objects.all()
    assert (f.name, f.content_type, f.size) == ("现场照片.pdf", "application/pdf", len(PDF))
    fake = pdf("伪装.pdf", content=b"MZ\x90\x00 not a pdf at all")
    response = post(client, {**form(agency, phone="13900139000"), "files": [fake]}, ip="10.0.0.2")
    assert "only PDF, JPEG or PNG" in response.content.decode()
    too_many = [pdf(f"{i}.pdf") for i in range(6)]
    response = post(client, {**form(agency, phone="13700137000"), "files": too_many}, ip="10.0.0.3")
    assert "at most 5 attachments" in response.content.decode()
    assert Complaint.objects.count() == 1 and ComplaintFile.objects.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"phone": "", "email": ""}, "give a phone number or an email address"),
    ({"phone": "12ab"}, "phone number is not valid"),
    ({"phone": "", "email": "not-an-email"}, "email address is not valid"),
    ({"name": ""}, "your name is required"),
    ({"text": "太差了"}, "at least 10 characters"),
    ({"text": "长" * 2001}, "input too long"),
    ({"name": "名" * 51}, "input too long"),
    ({"website": "http://spam.example"}, "the submission was rejected"),
    ({"agency": "91330482MA00000000"}, "no such agency"),
    ({"target": "nobody"}, "choose what the complaint is about"),
    ({"target": "owner"}, "name the project of the owner"),
    ({"project": "NO-SUCH-CODE"}, "no project with that code"),
])
def test_bad_input_changes_nothing(client, agency, change, message):
    response = post(client, {**form(agency), **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("field", ["text", "name", "website"])
def test_nul_bytes_are_refused_before_the_view(client, agency, field):
    response = post(client, {**form(agency), field: "张\x00三" * 5})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_services_refuse_nul_bytes_too(agency):
    with pytest.raises(ValidationError, match="invalid character"):
        pc.file_public_complaint(target="agency", agency=agency, text=TEXT + "\x00", name="张三", phone="13800138000")
    assert not Complaint.objects.exists()


def test_an_agency_not_yet_public_cannot_be_named(client):
    draft = AgencyFactory(status="draft")
    assert "no such agency" in post(client, form(draft)).content.decode()
    assert not Complaint.objects.exists()


def test_the_form_is_csrf_protected(agency):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form(agency), REMOTE_ADDR="10.0.0.9").status_code == 403
    assert not Complaint.objects.exists()


def test_throttled_per_network_address(client, agency):
    for i in range(5):  # public_complaint_ip_per_hour = 5, each attempt counts
        assert post(client, form(agency, phone=f"1380013800{i}")).status_code == 302
    response = post(client, form(agency, phone="13800138009"))
    assert response.status_code == 429
    assert "try again later" in response.content.decode() and "请稍后再试" not in response.content.decode()
    assert Complaint.objects.count() == 5
    assert post(client, form(agency, phone="13800138009"), ip="10.0.0.2").status_code == 302  # another address


def test_throttled_per_contact(client, agency):
    for i in range(3):  # public_complaint_contact_per_day = 3
        assert post(client, form(agency, phone="138-0013-8000"), ip=f"10.0.1.{i}").status_code == 302
    response = post(client, form(agency, phone="13800138000"), ip="10.0.1.9")
    assert response.status_code == 429 and "too many submissions" in response.content.decode()
    response = post(client, form(agency, phone="", email="a@example.cn"), ip="10.0.1.9")
    assert response.status_code == 302  # another contact from the same address
    assert Complaint.objects.count() == 4


def test_a_member_cannot_complain_publicly_about_their_own_agency(client, agency, agency_user):
    login(client, agency_user)
    assert post(client, form(agency)).status_code == 403
    assert not Complaint.objects.exists()


def test_a_logged_in_complainant_is_recorded(client, agency, plain_user):
    login(client, plain_user)
    assert post(client, form(agency)).status_code == 302
    assert Complaint.objects.get().complainant == plain_user


# ---- an owner's conduct -------------------------------------------------------------------------

def test_a_complaint_about_an_owner_is_routed_by_the_project(client, published, covering_regulator,
                                                             other_region_regulator, other_department_regulator,
                                                             owner_user, agency_user):
    response = post(client, form(project=published, target="owner", text="业主在验收时无故拖延，且要求额外无偿服务。"))
    assert response.status_code == 302
    c = Complaint.objects.get()
    assert (c.target, c.agency, c.project) == ("owner", None, published)
    assert c.regulator == covering_regulator.memberships.get().organisation
    for user in (other_region_regulator, other_department_regulator):
        assert "无故拖延" not in login(client, user).get("/credit/regulator/complaints/").content.decode()
        assert client.post(f"/credit/regulator/complaints/{c.pk}/decide/",
                           {"decision": "verified", "response": "越权"}).status_code == 403
    for user in (owner_user, agency_user):
        with pytest.raises(PermissionDenied):
            services.decide_complaint(complaint=c, by=user, verified=True, response="越权")
    body = login(client, covering_regulator).get("/credit/regulator/complaints/").content.decode()
    assert "无故拖延" in body and published.owner.name in body
    assert published.owner.name in client.get("/credit/regulator/complaints/", {"format": "csv"}).content.decode(
        "utf-8-sig")
    assert client.post(f"/credit/regulator/complaints/{c.pk}/decide/",
                       {"decision": "verified", "response": "经核查属实，已责令业主整改。"}).status_code == 302
    assert Complaint.objects.get(pk=c.pk).status == "verified"
    assert not CreditEvent.objects.exists()  # an owner's conduct is not an agency's ledger line


def test_the_owner_cannot_complain_publicly_about_itself(client, published, owner_user):
    login(client, owner_user)
    assert post(client, form(project=published, target="owner")).status_code == 403
    assert not Complaint.objects.exists()


def test_a_draft_project_cannot_be_named(client, owner_org):
    draft = ProjectFactory(owner=owner_org, status="draft")
    response = post(client, form(project=draft, target="owner"))
    assert "no project with that code" in response.content.decode()
    assert not Complaint.objects.exists()


# ---- tracking -----------------------------------------------------------------------------------

def test_tracking_shows_status_and_answer_only(client, agency, covering_regulator):
    client.cookies["django_language"] = "zh-hans"
    post(client, form(agency, email="zhang@example.cn"))
    c = Complaint.objects.get()
    body = client.post(TRACK, {"code": c.tracking_code.lower()}).content.decode()
    assert "待处理" in body and str(c.regulator.name) in body
    for private in ("张三", "13800138000", "zhang@example.cn", TEXT, agency.name):
        assert private not in body
    services.decide_complaint(complaint=c, by=covering_regulator, verified=False, response="经核查，不属实。")
    body = client.post(TRACK, {"code": f"{c.tracking_code[:6]}-{c.tracking_code[6:]}"}).content.decode()
    assert "不属实" in body and "经核查，不属实。" in body


@pytest.mark.parametrize("code", ["", "ABC", "IIIIIIIIIIII", "A" * 41])
def test_tracking_refuses_unknown_or_malformed_codes(client, code):
    response = client.post(TRACK, {"code": code})
    assert response.status_code == 200 and "complaint-status" not in response.content.decode()
    shown = "".join(m.message for m in response.context["messages"])
    assert shown and not re.search(r"[\u4e00-\u9fff]", shown)  # a refusal, in English only


def test_tracking_lookups_are_throttled(client):
    for _ in range(30):
        client.post(TRACK, {"code": "ABCDEFGHJKMN"}, REMOTE_ADDR="10.0.2.1")
    response = client.post(TRACK, {"code": "ABCDEFGHJKMN"}, REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 429 and "too many look-ups" in response.content.decode()


def test_lookup_never_queries_with_a_malformed_code(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert pc.lookup("not a code") is None


# ---- complaints a regulator records -------------------------------------------------------------

def test_record_refuses_every_role_but_a_covering_regulator(client, agency, published, agency_user, owner_user,
                                                            operator_user, plain_user, other_region_regulator,
                                                            other_department_regulator):
    data = {**form(agency), "channel": "phone"}
    assert client.get(RECORD).status_code == 403
    assert client.post(RECORD, data).status_code == 403
    for user in (agency_user, owner_user, plain_user):
        assert login(client, user).post(RECORD, data).status_code == 403
    for user in (operator_user, other_region_regulator):
        assert login(client, user).post(RECORD, data).status_code == 403
    owner_case = {**form(project=published, target="owner"), "channel": "letter"}
    assert login(client, other_department_regulator).post(RECORD, owner_case).status_code == 403
    assert not Complaint.objects.exists()


def test_a_regulator_records_a_phone_call(client, agency, covering_regulator):
    login(client, covering_regulator)
    assert client.get(RECORD).status_code == 200
    bad = client.post(RECORD, {**form(agency), "channel": "web"}, follow=True)
    assert "choose phone, letter or visit" in bad.content.decode()
    assert not Complaint.objects.exists()
    response = client.post(RECORD, {**form(agency, phone=""), "channel": "visit"}, follow=True)
    c = Complaint.objects.get()
    assert (c.channel, c.recorded_by, c.complainant, c.source) == ("visit", covering_regulator, None, "public")
    assert c.tracking_code in response.content.decode()
    assert audit.history(c).get().data["recorded"] is True


def test_regulator_service_guards():
    with pytest.raises(ValidationError, match="name the agency"):
        pc.record_complaint(by=None, channel="phone", target="agency", text=TEXT, name="李四")


# ---- attachments --------------------------------------------------------------------------------

def test_attachments_reach_only_a_competent_regulator(client, agency, covering_regulator, other_region_regulator,
                                                      agency_user, owner_user):
    post(client, {**form(agency), "files": [pdf("证据.pdf")]})
    c, f = Complaint.objects.get(), ComplaintFile.objects.get()
    url = f"/credit/regulator/complaints/{c.pk}/files/{f.pk}/"
    assert client.get(url).status_code == 403
    for user in (agency_user, owner_user, other_region_regulator):
        assert login(client, user).get(url).status_code == 403
    response = login(client, covering_regulator).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client.get(f"/credit/regulator/complaints/{c.pk}/files/{f.pk + 99}/").status_code == 404
    assert url in client.get("/credit/regulator/complaints/").content.decode()


# ---- links --------------------------------------------------------------------------------------

def test_storefront_and_notices_link_to_the_form(client, agency, published):
    from cms.publishing import publish_notice
    from cms.tree import ensure_page_tree

    body = client.get(f"/agencies/s/{agency.uscc}/").content.decode()
    assert f"{URL}?agency={agency.uscc}" in body
    ensure_page_tree()
    for kind in ("result", "contract"):
        notice = publish_notice(kind=kind, object_type="projects.project", object_id=published.pk,
                                source_action="tests", title=f"{published.title} {kind}",
                                facts={"code": published.code, "agency_uscc": agency.uscc},
                                published_on=dt.date(2026, 3, 2))
        body = client.get(notice.url).content.decode()
        assert f"{URL}?agency={agency.uscc}&amp;project={published.code}" in body
    posting = publish_notice(kind="posting", object_type="projects.project", object_id=published.pk,
                             source_action="tests", title="采购", facts={"code": published.code})
    assert URL not in client.get(posting.url).content.decode()
