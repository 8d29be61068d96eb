"""Browser journey: the owner rates 不满意, the agency appeals, the regulator rejects the appeal; the
agency's score and ledger change at each step."""

import os
from pathlib import Path

import pytest

from marketplace import workdays
from ratings.services import open_rating
from tests.factories import PASSWORD, AgencyFactory, OrganisationFactory, ProjectFactory, member_of
from tests.ratings.conftest import scoped_regulator

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
REASON = "测绘成果坐标系错误，多处地形要素缺失，两次催告后仍未修改完善。"


def shot(page, name):
    path = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"ratings-{name}.png"), full_page=True)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        yield b
        b.close()


def session(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    return page


def credit_state(page, live_server, uscc):
    page.goto(f"{live_server.url}/credit/agencies/{uscc}/")
    return page.inner_text("#credit-score"), page.inner_text("#ledger tbody")


def test_rate_unsatisfied_appeal_reject(live_server, browser):
    owner_org = OrganisationFactory(kind="owner", name="平湖市住房和城乡建设局")
    owner = member_of(owner_org)
    agency = AgencyFactory(name="嘉兴精测测绘有限公司")
    agency_user = member_of(agency.organisation)
    project = ProjectFactory(owner=owner_org, title="平湖市新埭镇道路地形测绘")
    regulator = scoped_regulator(regions=["330482"], departments=[project.service_type.department])
    open_rating(project=project, agency=agency, accepted_on=workdays.today())

    # 1. The owner rates 不满意: refused without a reason, accepted with one.
    page = session(browser, live_server, owner)
    page.goto(f"{live_server.url}/credit/ratings/")
    page.click("#given a.button")
    for name, value in [("quality", 3), ("timeliness", 3), ("attitude", 3), ("fee", 2), ("conduct", 3)]:
        page.check(f"input[name={name}][value='{value}']")
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state()
    assert "不少于20个字" in page.inner_text("main")
    page.fill("#reason", REASON)
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state()
    assert "不满意" in page.inner_text("#given")
    score, ledger = credit_state(page, live_server, agency.uscc)
    assert score == "95" and "评价不满意" in ledger and "计入" in ledger and "eval_unsat" not in ledger
    shot(page, "1-rated")

    # 2. The agency appeals: the deduction stops counting while the appeal is pending.
    page = session(browser, live_server, agency_user)
    page.goto(f"{live_server.url}/credit/ratings/")
    page.fill("#received textarea[name=reason]", "业主提供的控制点成果本身有误，坐标系问题不在我方。")
    page.click("#received button")
    page.wait_for_load_state()
    assert "待处理" in page.inner_text("#received")
    score, ledger = credit_state(page, live_server, agency.uscc)
    assert score == "100" and "申诉中" in ledger and "appeal_pending" not in ledger
    shot(page, "2-appealed")

    # 3. The competent regulator rejects: the rating counts again from its original date.
    page = session(browser, live_server, regulator)
    page.goto(f"{live_server.url}/credit/regulator/appeals/")
    assert project.code in page.inner_text("#appeals")
    page.fill("#appeals textarea[name=note]", "经核查，控制点成果无误，评价属实，驳回申诉。")
    page.click("#appeals button[value=reject]")
    page.wait_for_load_state()
    assert "申诉已处理" in page.inner_text("main")
    score, ledger = credit_state(page, live_server, agency.uscc)
    assert score == "95" and "计入" in ledger and "申诉中" not in ledger and "appeal_pending" not in ledger
    shot(page, "3-rejected")

    # The regulator's workspace lists the agency with its grade and draws the charts server-side.
    page.goto(f"{live_server.url}/credit/regulator/")
    assert agency.uscc in page.inner_text("#agencies")
    assert page.locator("svg.chart").count() == 3
    shot(page, "4-workspace")
