"""Journeys through the screens: an 不满意 rating appealed and upheld leaves the storefront and the API at once; a
fraud record confirmed by a second regulator of the same body grades the agency D, removes and blacklists it for
three years with a public credit notice; revoked on review, its sanctions are lifted automatically and the notices
withdrawn."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency, Blacklist
from cms.models import NoticeKind, NoticePage
from cms.tree import ensure_page_tree
from marketplace import workdays
from marketplace.models import Organisation
from ratings import scoring
from ratings.models import Appeal, EnforcementDecision, Rating, Sanction
from ratings.services import open_rating
from tests.factories import AgencyServiceFactory, ProjectFactory, member_of, service_type

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNSAT = {"quality": 3, "timeliness": 3, "attitude": 3, "fee": 2, "conduct": 3,
         "reason": "交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。"}


@pytest.fixture
def agency(db):
    return AgencyServiceFactory(service_type=service_type("ZR01")).agency


@pytest.fixture
def body(db):
    org = Organisation.objects.create(kind=Organisation.Kind.REGULATOR, name="平湖市自然资源和规划局")
    org.scope_regions.set(["330482"])
    org.scope_departments.set([service_type("ZR01").department])
    return org


@pytest.fixture
def first(body):
    return member_of(body, name="王审核")


@pytest.fixture
def second(body):
    return member_of(body, name="李复核")


def api(client, agency) -> dict:
    return client.get(f"/api/agencies/{agency.uscc}").json()


def storefront(client, agency) -> str:
    return client.get(reverse("agencies:storefront", args=[agency.uscc])).content.decode()


def test_an_upheld_appeal_drops_the_rating_from_storefront_and_api_at_once(
        client, agency, owner_org, first, django_capture_on_commit_callbacks):
    owner = member_of(owner_org)
    agency_user = member_of(agency.organisation)
    project = ProjectFactory(owner=owner_org)
    rating = open_rating(project=project, agency=agency, accepted_on=workdays.today() - dt.timedelta(days=1))

    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/credit/ratings/{rating.pk}/", UNSAT).status_code == 302
    assert Rating.objects.get(pk=rating.pk).result == "不满意"
    client.logout()
    shown = api(client, agency)
    assert (shown["rating_count"], shown["rating_mean"], shown["credit_score"]) == (1, "2.80", 95)
    assert "2.80" in storefront(client, agency)

    client.force_login(agency_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credit/ratings/{rating.pk}/appeal/", {"reason": "评价所述问题均已在合同约定期限内整改完毕。"})
    appeal = Appeal.objects.get(rating=rating)
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credit/regulator/appeals/{appeal.pk}/decide/", {"decision": "uphold", "note": "申诉成立"})
    assert Appeal.objects.get(pk=appeal.pk).status == "upheld"

    client.logout()
    shown = api(client, agency)
    assert (shown["rating_count"], shown["rating_mean"], shown["credit_score"]) == (0, None, 100)
    assert "2.80" not in storefront(client, agency)


def _notices(agency):
    ids = [str(pk) for pk in Sanction.objects.filter(agency=agency).values_list("pk", flat=True)]
    return NoticePage.objects.filter(kind=NoticeKind.CREDIT, object_type="ratings.sanction", object_id__in=ids)


def test_fraud_confirmed_then_voided_on_review(client, agency, body, first, second,
                                               django_capture_on_commit_callbacks):
    ensure_page_tree()
    today = workdays.today()
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ratings:enforcement_new"), {
            "uscc": agency.uscc, "code": "fraud", "document_number": "平自然资罚〔2026〕20号",
            "decided_on": today.isoformat(), "deciding_body": "平湖市自然资源和规划局",
            "legal_basis": "《中华人民共和国行政许可法》第七十八条", "organisation": body.pk,
            "summary": "该机构在入驻申请中提供虚假的业绩证明材料，经调查属实。",
            "files": SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf")})
    decision = EnforcementDecision.objects.get()
    assert response.status_code == 302 and decision.status == "pending"
    assert api(client, agency)["credit_grade"] == "A" and not _notices(agency).exists()

    # The one who recorded it cannot confirm it; a second regulator of the same body does.
    confirm = reverse("ratings:enforcement_confirm", args=[decision.pk])
    client.post(confirm, {"decision": "confirm"})
    assert EnforcementDecision.objects.get(pk=decision.pk).status == "pending"
    client.force_login(second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"decision": "confirm", "note": "材料核实无误"})
    decision.refresh_from_db()
    agency.refresh_from_db()
    assert (decision.status, decision.recorded_by, decision.confirmed_by) == ("effective", first, second)
    assert (agency.credit_grade, agency.credit_forced, agency.status) == ("D", True, Agency.Status.BLACKLISTED)
    assert {"removal", "blacklist"} <= set(Sanction.objects.filter(agency=agency).values_list("kind", flat=True))
    assert Blacklist.objects.get(uscc=agency.uscc).ends_on == scoring.add_months(today, 36)
    assert api(client, agency)["credit_grade"] == "D"
    notices = _notices(agency)
    assert notices.exists() and all(n.live for n in notices)
    assert any("黑名单" in n.title for n in notices) and any("清退" in n.title for n in notices)

    # Revoked on review (复议): the fraud line is voided and the sanctions lose their grounds.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ratings:enforcement_revoke", args=[decision.pk]),
                    {"reason": "行政复议决定撤销原处罚决定，认定事实不清。", "review_document": "嘉政复〔2026〕5号"})
    agency.refresh_from_db()
    assert EnforcementDecision.objects.get(pk=decision.pk).status == "revoked"
    assert not Sanction.objects.filter(agency=agency, lifted_at__isnull=True).exists()
    assert all(s.lifted_by is None for s in Sanction.objects.filter(agency=agency))
    assert (agency.credit_grade, agency.credit_score, agency.status) == ("A", 100, Agency.Status.ADMITTED)
    assert not any(n.live for n in _notices(agency))
    assert all(n.withdrawn_at for n in _notices(agency))
    assert api(client, agency)["credit_grade"] == "A"
