"""Browser journey through the public site: home page → notice list → filter → notice → search,
on a desktop (1280×800) and a phone (390×844) viewport, with screenshots in ARTIFACTS_DIR."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from marketplace import audit
from ratings.models import Sanction
from tests.factories import AgencyFactory, ProjectFactory, service_type

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def artifacts() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_site():
    from cms.tree import ensure_page_tree

    ensure_page_tree()
    now = timezone.now()
    survey = ProjectFactory(title="平湖市新埭镇农田水利工程地形测绘", status="published", published_at=now,
                            registration_deadline=now + dt.timedelta(days=5), ceiling=Decimal("120000.00"),
                            scope="1:500 地形图测绘约 2.3 平方公里，含控制测量与成果汇交。")
    audit.record(action="projects.published", obj=survey)
    eia = ProjectFactory(title="嘉善县污水处理厂扩建环境影响评价", status="published", published_at=now,
                         service_type=service_type("HB01"), method="lowest", ceiling=Decimal("260000.00"))
    audit.record(action="projects.published", obj=eia)
    winner = AgencyFactory(name="嘉兴精测测绘有限公司")
    done = ProjectFactory(title="平湖市当湖街道房产测绘", status="publicity", published_at=now,
                          awarded_price=Decimal("68000.00"), ceiling=Decimal("80000.00"))
    audit.record(action="projects.result_published", obj=done, data={
        "agency": winner.pk,
        "price": "68000.00",
        "draw_record": {"seed": "5f1c9a2e", "candidates": ["嘉兴精测测绘有限公司", "平湖宏图测绘有限公司", "浙江天地勘测有限公司"],
                 "selected": "嘉兴精测测绘有限公司", "drawn_at": "2026-11-20 10:00"}})
    bad = AgencyFactory(name="嘉兴某信息咨询有限公司")
    sanction = Sanction.objects.create(agency=bad, kind=Sanction.Kind.BLACKLIST, starts_on="2026-11-01",
                                       ends_on="2029-10-31", cause="提供虚假材料")
    audit.record(action="ratings.sanction_imposed", obj=sanction, reason="提供虚假业绩材料",
                 data={"agency": bad.pk, "uscc": bad.uscc, "kind": "blacklist", "starts_on": "2026-11-01",
                       "ends_on": "2029-10-31"})
    return survey


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                     args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_public_site_journey(live_server, browser):
    from cms.models import NoticePage

    survey = seed_site()
    notice = NoticePage.objects.get(object_id=str(survey.pk), kind="posting")
    out = artifacts()

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "中介超市"
    assert page.locator(".figure").count() == 5
    assert "平湖市新埭镇农田水利工程地形测绘" in page.content()
    page.screenshot(path=str(out / "cms-home-desktop.png"), full_page=True)

    # Keyboard: the first Tab reaches the skip link, Enter moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tabbing on reaches a notice link, and it shows a visible focus outline.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('notice-title')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('notice-title')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    # Notice index for postings, filtered by selection method.
    with page.expect_navigation():
        page.click("#section-posting a")
    assert page.locator("h1").inner_text() == "采购公告"
    page.select_option("select[name=method]", "lowest")
    with page.expect_navigation():
        page.click(".notice-filters button[type=submit]")
    assert "嘉善县污水处理厂扩建环境影响评价" in page.content()
    assert "平湖市新埭镇农田水利工程地形测绘" not in page.content()

    # The posting notice with its facts.
    page.goto(live_server.url + notice.url)
    assert page.locator("h1").inner_text() == notice.title
    assert "¥120,000.00" in page.content() and "交易信息" in page.content()
    page.screenshot(path=str(out / "cms-notice-desktop.png"), full_page=True)

    # Search by a two-character word from the home page.
    page.goto(live_server.url + "/")
    page.fill("#home-q", "测绘")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "平湖市新埭镇农田水利工程地形测绘" in page.content()
    assert "嘉善县污水处理厂扩建环境影响评价" not in page.content()

    # The result notice shows its draw record.
    result = NoticePage.objects.get(kind="result")
    page.goto(live_server.url + result.url)
    assert "抽取记录" in page.content() and "5f1c9a2e" in page.content()
    page.screenshot(path=str(out / "cms-result-desktop.png"), full_page=True)
    context.close()

    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(out / "cms-home-phone.png"), full_page=True)
    page.goto(live_server.url + notice.url)
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(out / "cms-notice-phone.png"), full_page=True)
    page.goto(live_server.url + "/notices/")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(out / "cms-list-phone.png"), full_page=True)
    phone.close()


def test_editor_sees_withdrawn_notice_with_read_only_facts(live_server, browser):
    from cms.models import NoticePage
    from tests.factories import PASSWORD, UserFactory

    survey = seed_site()
    audit.record(action="projects.cancelled", obj=survey, reason="业主撤销采购需求")
    notice = NoticePage.objects.get(object_id=str(survey.pk), kind="posting")
    editor = UserFactory(email="editor@example.cn", is_superuser=True, is_staff=True)

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", editor.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.goto(f"{live_server.url}/admin/pages/{notice.pk}/edit/")
    content = page.content()
    assert "已撤回" in content and "业主撤销采购需求" in content and "交易信息（只读）" in content
    assert page.locator("input[name=title]").is_disabled()
    assert page.locator("select[name=region]").is_disabled()
    page.screenshot(path=str(artifacts() / "cms-admin-withdrawn-notice.png"), full_page=True)
    context.close()
