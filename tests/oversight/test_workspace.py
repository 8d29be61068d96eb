"""The regulator's risk workspace: scope, refusals, decisions (audited) and export."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import AuditEntry, Organisation, Region
from oversight.models import RiskFlag
from oversight.scan import run_scan
from ratings.models import EnforcementDecision
from tests.factories import OrganisationFactory, member_of
from tests.oversight.planting import AS_OF, agency, owner, round_, service_types_of_distinct_departments

pytestmark = pytest.mark.django_db
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def flag():
    a, b = agency(), agency()
    b.practitioners.create(name="李四", resident_id=a.legal_rep_id)
    round_(owner=owner(), agencies=[a, b, agency()], method="draw")
    run_scan(as_of=AS_OF)
    return RiskFlag.objects.get(kind="shared_person")


@pytest.fixture
def outsider():
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="嘉善县监管局")
    org.scope_regions.add(Region.objects.get(code="330421"))
    return member_of(org)


def test_regulator_in_scope_sees_the_list_the_flag_and_its_evidence(client, regulator_user, flag):
    client.force_login(regulator_user)
    page = client.get(reverse("oversight:flags")).content.decode()
    shown = re.sub(r"<[^>]+>", " ", page)  # the visible text: codes live only in attributes
    assert "竞争机构关联人员" in shown and "shared_person" not in shown and "open" not in shown.split()
    detail = client.get(reverse("oversight:flag", args=[flag.pk])).content.decode()
    assert "关联机构串通报名" in detail and flag.evidence[0] in detail
    assert reverse("ratings:project_history", args=[flag.project_id]) in detail
    evidence = client.get(reverse("oversight:agency", args=[flag.refs[1]["id"]]))
    assert evidence.status_code == 302 and "/credit/regulator/agencies/" in evidence["Location"]


@pytest.mark.parametrize("who", ["anonymous", "plain", "owner", "agency", "operator", "outsider"])
def test_everyone_else_is_refused(client, flag, who, plain_user, owner_user, operator_user, outsider):
    users = {"plain": plain_user, "owner": owner_user, "operator": operator_user, "outsider": outsider,
             "agency": member_of(flag.project.registrations.first().agency.organisation)}
    if who != "anonymous":
        client.force_login(users[who])
    urls = [reverse("oversight:flag", args=[flag.pk]), reverse("oversight:flag_case", args=[flag.pk])]
    if who != "outsider":
        urls.append(reverse("oversight:flags"))
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("oversight:flag_dismiss", args=[flag.pk]),
                       {"reason": "经核查两家机构无关联关系，系同名巧合。"}).status_code == 403
    assert client.post(reverse("oversight:flag_review", args=[flag.pk])).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_outsider_sees_an_empty_list(client, flag, outsider):
    client.force_login(outsider)
    page = client.get(reverse("oversight:flags"))
    assert page.status_code == 200 and flag.evidence[0] not in page.content.decode()


def test_dismiss_needs_a_reason_and_is_audited(client, regulator_user, flag):
    client.force_login(regulator_user)
    url = reverse("oversight:flag_dismiss", args=[flag.pk])
    response = client.post(url, {"reason": "太短"}, follow=True)
    assert "排除理由至少" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"
    client.post(url, {"reason": "经核查两家机构无关联关系，系同名巧合。"})
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.decided_by == regulator_user
    entry = AuditEntry.objects.get(action="oversight.flag_dismissed")
    assert entry.actor == regulator_user and "同名巧合" in entry.reason
    assert client.post(reverse("oversight:flag_review", args=[flag.pk]), follow=True).status_code == 200
    flag.refresh_from_db()
    assert flag.status == "dismissed"  # a dismissed flag cannot go back under review


@pytest.mark.parametrize("which", [1, 2])
def test_review_then_open_a_case_records_an_enforcement_decision(client, regulator_user, flag, which):
    client.force_login(regulator_user)
    client.post(reverse("oversight:flag_review", args=[flag.pk]), {"note": "调取两家机构人员社保记录"})
    flag.refresh_from_db()
    assert flag.status == "reviewing"
    target = flag.refs[which]["id"]  # either agency the evidence names
    response = client.post(reverse("oversight:flag_case", args=[flag.pk]), {
        "agency": target, "code": "violation", "document_number": "嘉中介监〔2026〕9号", "decided_on": "2026-06-01",
        "deciding_body": "平湖市行政审批局", "legal_basis": "《嘉兴市网上中介超市管理办法》第三十一条",
        "summary": "与关联机构共用人员参与同一项目报名，构成串通。",
        "files": SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    flag.refresh_from_db()
    decision = EnforcementDecision.objects.get()
    assert flag.status == "case" and flag.enforcement == decision and decision.agency_id == target
    assert AuditEntry.objects.filter(action="oversight.case_opened", actor=regulator_user).count() == 1
    assert AuditEntry.objects.filter(action="ratings.enforcement_recorded").count() == 1


def test_case_for_an_agency_not_in_the_evidence_is_refused(client, regulator_user, flag):
    client.force_login(regulator_user)
    stranger = agency()
    response = client.post(reverse("oversight:flag_case", args=[flag.pk]), {
        "agency": stranger.pk, "code": "violation", "document_number": "X1", "decided_on": "2026-06-01",
        "deciding_body": "局", "legal_basis": "某条", "summary": "与关联机构共用人员参与同一项目报名。",
        "files": SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 200 and not EnforcementDecision.objects.exists()


def test_export_csv_and_xlsx_show_labels(client, regulator_user, flag):
    client.force_login(regulator_user)
    csv = client.get(reverse("oversight:flags"), {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "竞争机构关联人员" in text and "shared_person" not in text
    xlsx = client.get(reverse("oversight:flags"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_dashboard_panel_links_the_workspace(client, regulator_user, regulator_org, flag):
    client.force_login(regulator_user)
    page = client.get(reverse("dashboard_role", args=["regulator", regulator_org.pk]), follow=True).content.decode()
    assert reverse("oversight:flags") in page and "风险监测" in page


def test_high_win_ratio_flag_is_seen_only_by_regulators_of_the_departments_of_its_draws(client):
    lucky, pool = agency(), [agency() for _ in range(4)]
    survey, other = service_types_of_distinct_departments(2)
    for i in range(12):
        round_(owner=owner(), agencies=[lucky, *pool], method="draw", winner=0 if i < 10 else 1,
               service=survey, day=AS_OF - dt.timedelta(days=5 + i))
    run_scan(as_of=AS_OF)
    flag = RiskFlag.objects.get(kind="high_win_ratio")
    assert flag.departments == [survey.department_id] and survey.department.name in flag.evidence[-1]
    users = {}
    for name, dept in (("mine", survey.department), ("theirs", other.department)):
        org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name=f"{dept.name}监管{name}")
        org.scope_departments.add(dept)
        users[name] = member_of(org)
    client.force_login(users["theirs"])
    assert client.get(reverse("oversight:flag", args=[flag.pk])).status_code == 403
    assert flag.evidence[0] not in client.get(reverse("oversight:flags")).content.decode()
    client.force_login(users["mine"])
    assert client.get(reverse("oversight:flag", args=[flag.pk])).status_code == 200
    assert flag.evidence[0] in client.get(reverse("oversight:flags")).content.decode()
