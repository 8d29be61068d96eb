"""Browser journey: an agency applies, a regulator approves, the storefront appears in the directory."""

import os
from pathlib import Path

import pytest

from tests.agencies.factories import PDF
from tests.factories import PASSWORD, UserFactory, make_resident_id, make_uscc, member_of

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _login(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_apply_approve_appears_in_directory(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    from marketplace.models import Department, Organisation

    shots = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    shots.mkdir(parents=True, exist_ok=True)
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(PDF)
    applicant = UserFactory(email="applicant@example.cn")
    reg_org = Organisation.objects.create(kind=Organisation.Kind.REGULATOR, name="嘉兴市自然资源和规划局")
    reg_org.scope_regions.set(["330400"])
    reg_org.scope_departments.set([Department.objects.get(name="自然资源")])
    regulator = member_of(reg_org, email="regulator@example.cn")
    code = make_uscc(5150)
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")
        _login(page, base, applicant.email)
        page.goto(f"{base}/agencies/apply/")
        page.fill("input[name=name]", "平湖市规划测绘有限公司")
        page.fill("input[name=uscc]", code.lower())
        page.select_option("select[name=region]", "330482")
        page.fill("input[name=address]", "平湖市当湖街道新华路1号")
        page.fill("input[name=legal_rep_name]", "张三")
        page.fill("input[name=legal_rep_id]", make_resident_id(11))
        page.screenshot(path=str(shots / "agencies-1-apply.png"), full_page=True)
        page.click("#apply-basic button")
        page.wait_for_url("**/documents/")
        for kind in ("licence", "commitment", "authorisation", "contact_insurance"):
            page.select_option("#upload-form select[name=kind]", kind)
            page.set_input_files("#upload-form input[name=file]", str(scan))
            page.click("#upload-form button")
            page.wait_for_load_state()
        assert page.locator("ul.documents li").count() == 4
        page.screenshot(path=str(shots / "agencies-2-documents.png"), full_page=True)
        page.goto(page.url.replace("/documents/", "/contact/"))
        page.fill("#contact-form input[name=contact_name]", "李四")
        page.fill("#contact-form input[name=contact_phone]", "0573-85123456")
        page.fill("#contact-form input[name=contact_id]", make_resident_id(12))
        page.click("#contact-form button")
        page.wait_for_load_state()
        page.goto(page.url.replace("/contact/", "/services/"))
        page.select_option("#services-form select[name=service_type]", "ZR01")
        page.fill("#services-form input[name=price_min]", "8000")
        page.fill("#services-form input[name=price_max]", "60000")
        page.fill("#services-form input[name=time_limit_wd]", "12")
        page.click("#services-form button")
        page.wait_for_load_state()
        page.goto(page.url.replace("/services/", "/submit/"))
        page.click("#submit-form button")
        page.wait_for_load_state()
        assert "待审核" in page.content()
        page.screenshot(path=str(shots / "agencies-3-submitted.png"), full_page=True)

        page.context.clear_cookies()
        _login(page, base, regulator.email)
        page.goto(f"{base}/agencies/review/")
        assert "平湖市规划测绘有限公司" in page.content()
        page.screenshot(path=str(shots / "agencies-4-review-queue.png"), full_page=True)
        page.click("table.review-queue a")
        page.select_option("#decision-form select[name=decision]", "approve")
        page.fill("#decision-form textarea[name=reason]", "材料齐全")
        page.click("#decision-form button")
        page.wait_for_load_state()

        page.context.clear_cookies()
        page.goto(f"{base}/agencies/?region=330400&service_type=ZR01")
        assert "平湖市规划测绘有限公司" in page.content()
        page.screenshot(path=str(shots / "agencies-5-directory.png"), full_page=True)
        page.click(f"a[href='/agencies/s/{code}/']")
        page.wait_for_load_state()
        assert "测绘" in page.locator("#services").inner_text()
        assert "12 个工作日" in page.content()
        page.screenshot(path=str(shots / "agencies-6-storefront.png"), full_page=True)
        browser.close()
