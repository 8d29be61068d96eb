"""Browser journey: the regulator opens a flag from the dashboard, follows its evidence, dismisses it with a
reason, and escalates another flag to an enforcement record."""

import os
from pathlib import Path

import pytest

from oversight.models import RiskFlag
from oversight.scan import run_scan
from tests.factories import PASSWORD
from tests.oversight.planting import AS_OF, agency, owner, round_

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
REASON = "经核查，两家机构的法定代表人系同名同号录入错误，已责令更正，不存在关联关系。"


def shot(page, name):
    path = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"oversight-{name}.png"), full_page=True)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        yield b
        b.close()


def login(browser, live_server, user):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_open_follow_dismiss_and_escalate(live_server, browser, regulator_user, tmp_path):
    a, b = agency(name="嘉兴同源测绘有限公司"), agency(name="嘉兴同源勘测有限公司")
    b.practitioners.create(name="王五", resident_id=a.legal_rep_id)
    shared = round_(owner=owner(), agencies=[a, b, agency()], method="draw")
    priced = round_(owner=owner(), agencies=[agency(name="嘉兴齐价评估有限公司"), agency(), agency()],
                    quotes=["80000", "80000", "92000"])
    run_scan(as_of=AS_OF)
    pdf = tmp_path / "决定书.pdf"
    pdf.write_bytes(PDF)

    page = login(browser, live_server, regulator_user)
    page.goto(f"{live_server.url}/dashboard/")
    page.click("#risk-panel-link")
    page.wait_for_load_state()
    assert "竞争机构关联人员" in page.inner_text("#flags") and "shared_person" not in page.inner_text("main")
    shot(page, "1-list")

    # 1. Open the shared-person flag and follow its evidence to the posting's history.
    page.click("#flags a:has-text('竞争机构关联人员')")
    page.wait_for_load_state()
    assert "关联机构串通报名" in page.inner_text("#flag-explain")
    assert "从业人员" in page.inner_text("#flag-evidence")
    flag_url = page.url
    page.click(f"#flag-links a:has-text('{shared.code}')")
    page.wait_for_load_state()
    assert shared.code in page.inner_text("main")
    shot(page, "2-evidence")
    page.goto(flag_url)

    # 2. Dismiss it: refused without a real reason, accepted with one.
    page.fill("textarea[name=reason]", "无关")
    page.click("#flag-dismiss")
    page.wait_for_load_state()
    assert "排除理由至少" in page.inner_text("main")
    page.fill("textarea[name=reason]", REASON)
    page.click("#flag-dismiss")
    page.wait_for_load_state()
    assert page.inner_text("#flag-status") == "已排除" and REASON in page.inner_text("main")
    shot(page, "3-dismissed")

    # 3. Escalate the identical-quotes flag to an enforcement record.
    page.goto(f"{live_server.url}/oversight/?kind=identical_quotes")
    page.click("#flags a:has-text('报价完全相同')")
    page.wait_for_load_state()
    page.click("#flag-case")
    page.wait_for_load_state()
    page.select_option("select[name=agency]", label=f"嘉兴齐价评估有限公司（{priced.registrations.first().agency.uscc}）")
    page.select_option("select[name=code]", "violation")
    page.fill("input[name=document_number]", "平中介监〔2026〕7号")
    page.fill("input[name=decided_on]", "2026-06-15")
    page.fill("input[name=deciding_body]", "平湖市行政审批局")
    page.fill("textarea[name=legal_basis]", "《嘉兴市网上中介超市管理办法》第三十一条")
    page.fill("textarea[name=summary]", "与其他报名机构事先协调报价，报价金额完全一致，构成串通报价。")
    page.set_input_files("input[name=files]", str(pdf))
    page.click("#case-form button")
    page.wait_for_load_state()
    shot(page, "4-case-submitted")
    assert page.inner_text("#flag-status") == "已立案"
    page.click("#flag-enforcement")
    page.wait_for_load_state()
    assert "平中介监〔2026〕7号" in page.inner_text("main")
    shot(page, "4-case")
    statuses = dict(RiskFlag.objects.values_list("kind", "status"))
    assert statuses == {"shared_person": "dismissed", "identical_quotes": "case"}
