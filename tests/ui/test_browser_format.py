"""Formatting seen in Chromium on the demo: /search/ at 390 px has no horizontal overflow and its results take
the full width; the regulator's charts show every label whole (inside the SVG's viewBox) at 12 px or more,
at desktop and phone width. Screenshots go to ARTIFACTS_DIR/format/."""

import io
import os

import pytest
from django.core.management import call_command

from tests.browser import ARGS, ARTIFACTS, CHROMIUM, session_for

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For every <text> of every chart: its box (in viewBox units) and its size on screen in CSS px.
CHART_TEXTS = """() => [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
  const vb = svg.viewBox.baseVal, scale = svg.getScreenCTM().a;
  return [...svg.querySelectorAll('text')].map((t) => {
    const b = t.getBBox();
    return {text: t.textContent, left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height,
            width: vb.width, height: vb.height, px: parseFloat(getComputedStyle(t).fontSize) * scale};
  });
})"""


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", "--agencies", "12", stdout=io.StringIO())
    out = ARTIFACTS / "format"
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_search_at_phone_width_and_charts_are_legible(live_server, demo):
    from playwright.sync_api import sync_playwright

    from marketplace.models import User

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(live_server.url + "/search/?q=测绘")
        page.screenshot(path=str(demo / "search-390.png"), full_page=True)
        assert page.locator("li.hit").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        results = page.locator("section[aria-live]").bounding_box()
        assert results["width"] >= 390 - 2 * 40, results  # the results column takes the phone's width
        regulator = User.objects.get(email="regulator@demo.zjcs.cn")
        for width, height in ((1280, 800), (390, 844)):
            work = session_for(browser, regulator, live_server.url)
            work.set_viewport_size({"width": width, "height": height})
            work.goto(live_server.url + "/credit/regulator/")
            work.screenshot(path=str(demo / f"workspace-charts-{width}.png"), full_page=True)
            texts = work.evaluate(CHART_TEXTS)
            assert len(texts) >= 6
            for t in texts:
                assert t["left"] >= 0 and t["top"] >= 0, t
                assert t["right"] <= t["width"] + 0.5 and t["bottom"] <= t["height"] + 0.5, t
                assert t["px"] >= 12, t
            assert work.evaluate("document.documentElement.scrollWidth") <= width
            # The demo's charts fit their card even on a phone (a wider chart would scroll inside its card).
            assert work.evaluate("[...document.querySelectorAll('.chart-scroll')].every("
                                 "(f) => f.scrollWidth <= f.clientWidth + 1)")
        browser.close()
