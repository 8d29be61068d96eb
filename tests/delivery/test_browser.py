"""Browser journey: the agency pauses, the owner supplies, the agency delivers late, the owner accepts,
and the overdue credit event appears."""

import datetime as dt

import pytest

from agencies.models import CreditEvent
from marketplace.models import Notification
from marketplace.workdays import today
from projects.delivery import services
from projects.delivery.models import ServiceJob
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, session_for  # noqa: F401
from tests.delivery.files import PDF
from tests.factories import AgencyFactory, ProjectFactory, member_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pause_supply_late_delivery_accept(live_server, owner_org, owner_user, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    agency = AgencyFactory()
    agency_user = member_of(agency.organisation)
    project = ProjectFactory(owner=owner_org, title="平湖市新埭镇道路地形测绘", status="contracting")
    signed = today() - dt.timedelta(days=42)  # 10 working days ran out weeks ago
    job = services.start_service(project=project, agency=agency, contract_signed_on=signed,
                                 materials_complete_on=signed, limit_wd=10, by=owner_user)
    url = f"{live_server.url}/jobs/{job.pk}/"
    report = tmp_path / "成果报告.pdf"
    report.write_bytes(PDF)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            agency_page = session_for(browser, agency_user, live_server.url)
            owner_page = session_for(browser, owner_user, live_server.url)

            # The agency asks for missing materials: the clock pauses.
            agency_page.goto(url)
            expect(agency_page.locator('[data-clock="red"]').first).to_be_visible()
            agency_page.fill('textarea[name="request"]', "请提供：1. 1:500地形图；2. 用地红线图。")
            agency_page.click("text=提交补正申请")
            expect(agency_page.locator('[data-status="paused"]')).to_be_visible()
            agency_page.screenshot(path=str(ARTIFACTS / "delivery-1-paused.png"), full_page=True)

            # The owner sees it in the inbox and supplies: the clock runs again.
            owner_page.goto(f"{live_server.url}/notifications/")
            expect(owner_page.locator("text=服务机构申请补正资料").first).to_be_visible()
            owner_page.goto(url)
            expect(owner_page.locator("#supply-form")).to_contain_text("用地红线图")
            owner_page.fill('#supply-form textarea[name="note"]', "已上传地形图与红线图")
            owner_page.click("text=已提供补正资料")
            expect(owner_page.locator('[data-status="running"]')).to_be_visible()

            # The agency delivers, late.
            agency_page.goto(url)
            agency_page.set_input_files('input[name="files"]', str(report))
            agency_page.fill('#deliver-form textarea[name="note"]', "测绘成果报告终稿")
            agency_page.click("text=提交成果")
            expect(agency_page.locator('[data-status="delivered"]')).to_be_visible()
            expect(agency_page.locator("text=成果报告.pdf")).to_be_visible()

            # The owner's dashboard says what waits on them, since when.
            owner_page.goto(f"{live_server.url}/dashboard/owner/{owner_org.pk}/")
            expect(owner_page.locator(f'[data-job="{job.pk}"][data-wait="decision"]')).to_be_visible()
            owner_page.screenshot(path=str(ARTIFACTS / "delivery-owner-dashboard.png"), full_page=True)

            # The owner accepts; the overdue event is recorded and shown.
            owner_page.goto(url)
            owner_page.click("button:has-text('验收通过')")
            with owner_page.expect_navigation():  # irreversible: the site asks first
                owner_page.click("#confirm-dialog [value=ok]")
            expect(owner_page.locator('[data-status="accepted"]')).to_be_visible()
            expect(owner_page.locator('#credit-events [data-code="overdue_major"]')).to_be_visible()
            owner_page.screenshot(path=str(ARTIFACTS / "delivery-2-accepted.png"), full_page=True)

            agency_page.goto(url)
            expect(agency_page.locator("#overdue")).to_contain_text("严重超时")  # the label, never the code
            agency_page.goto(f"{live_server.url}/notifications/")
            expect(agency_page.locator("text=服务成果已验收").first).to_be_visible()
        finally:
            browser.close()

    job = ServiceJob.objects.get(pk=job.pk)
    assert job.status == "accepted" and job.overdue_wd > 5
    assert CreditEvent.objects.filter(agency=agency, code="overdue_major", cause_id=str(job.pk)).count() == 1
    assert Notification.objects.filter(recipient=owner_user, kind="rating_due").count() == 1
