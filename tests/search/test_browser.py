"""Browser journey: search 测绘, filter by region, open the agency's page."""

import os

import pytest
from django.urls import reverse

from tests.search.factories import agency

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_filter_and_open_storefront(live_server, reindex):
    from playwright.sync_api import expect, sync_playwright

    ph = agency("平湖华正测绘有限公司", grade="A")
    agency("嘉善宏信测绘有限公司", region="330421", grade="B")
    agency("平湖中天造价咨询有限公司", services=("JS05",))
    reindex()
    artifacts = os.environ.get("ARTIFACTS_DIR", "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="搜索").click()
        page.get_by_role("searchbox").fill("测绘")
        page.get_by_role("button", name="搜索").click()
        results = page.locator("li.hit")
        expect(results).to_have_count(2)
        page.screenshot(path=os.path.join(artifacts, "search-1-results.png"), full_page=True)
        page.locator('[data-facet="region"]').get_by_role("link", name="平湖市").click()
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text("平湖华正测绘有限公司")
        expect(page.locator('[data-facet="region"] a[aria-current="true"]')).to_contain_text("平湖市")
        page.screenshot(path=os.path.join(artifacts, "search-2-filtered.png"), full_page=True)
        results.first.get_by_role("link", name="平湖华正测绘有限公司").click()
        expect(page).to_have_url(live_server.url + reverse("agencies:storefront", kwargs={"uscc": ph.uscc}))
        expect(page.locator("h1")).to_contain_text("平湖华正测绘有限公司")
        page.screenshot(path=os.path.join(artifacts, "search-3-agency.png"), full_page=True)
        browser.close()
