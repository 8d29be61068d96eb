"""Dashboard panels and the multi-step application through the web views."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies import services
from agencies.models import Agency, Qualification
from tests.agencies.factories import PDF, complete_application, pdf
from tests.factories import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


def test_agency_panel_shows_status_expiring_and_pending(client, agency_and_member):
    agency, member = agency_and_member
    Qualification.objects.create(agency=agency, qualification_type="测绘资质", number="EXP-1",
                                 valid_to=dt.date.today() + dt.timedelta(days=10))
    services.propose_change(by=member, agency=agency, kind="legal_rep",
                            data={"legal_rep_name": "王五", "legal_rep_id": make_resident_id(9)})
    client.force_login(member)
    body = client.get(reverse("dashboard_role", args=["agency", agency.organisation_id])).content.decode()
    assert "已入驻" in body and "EXP-1" in body and "法定代表人" in body


def test_regulator_panel_lists_queue_with_overdue_flag(client, applicant, regulator_user, regulator_org):
    agency = services.submit_application(by=applicant, agency=complete_application(applicant),
                                         today=dt.date(2025, 9, 26))
    client.force_login(regulator_user)
    body = client.get(reverse("dashboard_role", args=["regulator", regulator_org.pk])).content.decode()
    assert agency.name in body and "2025-09-29" in body and "已超期" in body


def test_operator_dashboard_panel(client, operator_user, operator_org):
    client.force_login(operator_user)
    body = client.get(reverse("dashboard_role", args=["operator", operator_org.pk])).content.decode()
    assert "入驻审核" in body and reverse("agencies:import") in body


def test_multi_step_application_through_views(client, applicant, operator_user):
    client.force_login(applicant)
    code = make_uscc(4242)
    r = client.post(reverse("agencies:apply"), {"name": "平湖测绘有限公司", "uscc": code.lower(), "region": "330482",
                                                "address": "平湖市1号", "legal_rep_name": "张三",
                                                "legal_rep_id": make_resident_id(1)})
    agency = Agency.objects.get(uscc=code)
    assert r.status_code == 302 and r["Location"].endswith(f"/apply/{agency.pk}/documents/")
    step = lambda name: reverse("agencies:apply_step", args=[agency.pk, name])  # noqa: E731
    for kind in ("licence", "commitment", "authorisation", "contact_insurance"):
        client.post(step("documents"), {"op": "upload", "kind": kind, "file": pdf()})
    # A disguised executable is refused with a bilingual message and nothing stored.
    r = client.post(step("documents"), {"op": "upload", "kind": "other",
                                        "file": pdf("evil.pdf", b"MZ\x90\x00")}, follow=True)
    assert "只接受 PDF、JPEG 或 PNG 文件" in r.content.decode() and "files are accepted" not in r.content.decode()
    assert agency.documents.count() == 4
    client.post(step("contact"), {"contact_name": "李四", "contact_phone": "0573-1", "contact_id": make_resident_id(2)})
    client.post(step("qualifications"), {"qualification_type": "测绘资质", "level": 2, "number": "乙测资字1"})
    client.post(step("practitioners"), {"name": "王五", "resident_id": make_resident_id(3),
                                        "social_insurance": pdf("si.pdf", PDF)})
    r = client.post(step("services"), {"service_type": "ZR01", "fee_basis": "fixed", "price_min": "5000",
                                       "price_max": "1000"}, follow=True)
    assert "最低价不能高于最高价" in r.content.decode()
    client.post(step("services"), {"service_type": "ZR01", "fee_basis": "fixed", "price_min": "1000",
                                   "price_max": "5000", "time_limit_wd": 10})
    r = client.post(step("submit"))
    agency.refresh_from_db()
    assert agency.status == "submitted", r
    assert agency.qualifications.count() == 1 and agency.practitioners.get().social_insurance_id
    # Once submitted, the applicant can no longer edit.
    assert client.post(step("contact"), {"contact_name": "x", "contact_phone": "1",
                                         "contact_id": make_resident_id(2)}).status_code == 403
    client.force_login(operator_user)
    r = client.post(reverse("agencies:review_detail", args=[agency.pk]), {"decision": "reject", "reason": ""},
                    follow=True)
    assert "退回必须写明理由" in r.content.decode()
    client.post(reverse("agencies:review_detail", args=[agency.pk]), {"decision": "approve"})
    agency.refresh_from_db()
    assert agency.status == "admitted"
    assert client.get(reverse("agencies:storefront", args=[code])).status_code == 200


def test_manage_posts_dispatch_by_op_and_refuse_unknown_ones(client, agency_and_member):
    from agencies.views import APPLY_POSTS, MANAGE_POSTS, STEP_NAMES

    assert {step for step, _op in APPLY_POSTS} <= set(STEP_NAMES)
    assert {"storefront", "case", "case_delete", "legal_rep", "licence"} <= set(MANAGE_POSTS)
    agency, member = agency_and_member
    client.force_login(member)
    url = reverse("agencies:manage", args=[agency.pk])
    body = client.post(url, {"op": "teleport"}, follow=True).content.decode()
    assert "未知操作" in body
    client.post(url, {"op": "case", "title": "平湖大道测绘", "year": 2024})
    case = agency.cases.get()
    client.post(url, {"op": "legal_rep", "legal_rep_name": "王五", "legal_rep_id": make_resident_id(9)})
    assert agency.change_requests.get().kind == "legal_rep"
    body = client.post(url, {"op": "case_delete", "id": case.pk}, follow=True).content.decode()
    assert not agency.cases.exists() and "已保存" in body
