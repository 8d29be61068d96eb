"""Browser journey: the owner attaches a scope document to a draft and publishes; an eligible agency asks a
question; the owner sees it in the inbox (without the asker) and answers; a registrant reads the answer and
downloads the file. Then, on a running job, the owner writes with a file, the agency reads and replies,
and the owner sees the read receipt."""

from pathlib import Path

import pytest
from django.utils import timezone

from projects import services
from projects.delivery import services as delivery
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, session_for  # noqa: F401
from tests.factories import AgencyFactory, ProjectFactory, member_of
from tests.projects.factories import eligible_agency, make_draft
from tests.talk.conftest import PDF


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_attach_ask_answer_and_talk(live_server, owner_org, owner_user, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    asker, registrant = eligible_agency(), eligible_agency()
    agency = AgencyFactory()
    agency_user = member_of(agency.organisation)
    job = delivery.start_service(project=ProjectFactory(owner=owner_org, status="contracting"), agency=agency,
                                 contract_signed_on=timezone.localdate(), limit_wd=10, by=owner_user,
                                 materials_complete_on=timezone.localdate())
    thread = f"{live_server.url}/jobs/{job.pk}/messages/"
    draft = make_draft(owner_user, owner_org, now=timezone.now())  # its code skips the factory's
    url = f"{live_server.url}/projects/{draft.code}/"
    scope = tmp_path / "测区范围.pdf"
    scope.write_bytes(PDF)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            owner = session_for(browser, owner_user, live_server.url)
            owner.goto(url)
            owner.set_input_files('#attachment-form input[name="file"]', str(scope))
            owner.fill('#attachment-form input[name="title"]', "测区范围图")
            owner.click("text=上传附件")
            expect(owner.locator("#attachments")).to_contain_text("测区范围.pdf")
            owner.click("#publish")  # an irreversible button: the site's confirmation dialog sends the form
            owner.locator("#confirm-dialog").wait_for(state="visible")
            with owner.expect_navigation():
                owner.click("#confirm-dialog [value=ok]")
            expect(owner.locator("#status")).to_have_attribute("data-status", "published")
            services.register(by=registrant.user, project=draft, agency=registrant)

            page = session_for(browser, asker.user, live_server.url)
            page.goto(url)
            page.fill('#ask-form textarea[name="question"]', "成果是否需要提交CAD格式？")
            page.click("text=提交问题")
            expect(page.locator("#clarifications")).to_contain_text("成果是否需要提交CAD格式？")

            owner.goto(f"{live_server.url}/notifications/")
            expect(owner.locator("text=新的答疑问题").first).to_be_visible()
            owner.goto(url)
            expect(owner.locator("#clarifications")).not_to_contain_text(asker.name)
            owner.click("#clarifications >> text=答复")
            owner.fill('textarea[name="answer"]', "需要，同时提交PDF。")
            owner.click("text=公开答复")
            expect(owner.locator("#clarifications")).to_contain_text("需要，同时提交PDF。")
            owner.screenshot(path=str(ARTIFACTS / "talk-1-answered.png"), full_page=True)

            reader = session_for(browser, registrant.user, live_server.url)
            reader.goto(url)
            expect(reader.locator("#clarifications")).to_contain_text("需要，同时提交PDF。")
            expect(reader.locator("#clarifications")).not_to_contain_text(asker.name)
            with reader.expect_download() as download:
                reader.click("#attachments >> text=测区范围.pdf")
            assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

            owner.goto(thread)
            owner.fill('#message-form textarea[name="body"]', "请查收控制点成果。")
            owner.set_input_files('#message-form input[name="files"]', str(scope))
            owner.click("#message-form >> text=发送")
            expect(owner.locator("#messages")).to_contain_text("请查收控制点成果。")
            other = session_for(browser, agency_user, live_server.url)
            other.goto(f"{live_server.url}/jobs/{job.pk}/")
            expect(other.locator("#unread")).to_be_visible()
            other.goto(thread)
            expect(other.locator("#messages")).to_contain_text("测区范围.pdf")
            other.fill('#message-form textarea[name="body"]', "已收到，谢谢。")
            other.click("#message-form >> text=发送")
            owner.goto(thread)
            expect(owner.locator("[data-read]").first).to_be_visible()
            owner.screenshot(path=str(ARTIFACTS / "talk-2-thread.png"), full_page=True)
        finally:
            browser.close()
