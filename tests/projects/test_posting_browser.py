"""The posting form in Chromium: the method shows only its groups, rows are added, an agency is found by
name and put in the avoided row, the draft goes to the preview and is published after 确认.
Screenshots of the form at 1280×800 and 390×844 in Chinese and English go to the artifacts folder."""

import pytest

from projects.models import Project
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, confirm_in_dialog
from tests.projects.factories import eligible_agency

SIZES = {"1280": (1280, 800), "390": (390, 844)}


def _page(browser, user, base_url, language, size):
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url},
                         {"name": "django_language", "value": language, "url": base_url}])
    return context.new_page()


def _visible(page, methods: str) -> bool:
    return page.locator(f"fieldset[data-methods='{methods}']").first.is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_method_switching_rows_picker_preview_publish(live_server, owner_user, owner_org):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    avoided = eligible_agency(name="平湖市规划设计院有限公司")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for language in ("zh-hans", "en"):
                for label, size in SIZES.items():
                    page = _page(browser, owner_user, live_server.url, language, size)
                    page.goto(f"{live_server.url}/projects/new/")
                    page.select_option("select[name=method]", "composite")
                    page.screenshot(path=str(ARTIFACTS / f"posting_form_{language}_{label}.png"), full_page=True)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= size[0], f"{language} {label}: the form is {width}px wide"
                    page.context.close()

            page = _page(browser, owner_user, live_server.url, "zh-hans", SIZES["1280"])
            page.goto(f"{live_server.url}/projects/new/")
            page.select_option("select[name=method]", "direct")
            assert _visible(page, "direct") and not _visible(page, "composite")
            assert not _visible(page, "draw invitation") and not _visible(page, "draw lowest composite invitation")
            page.select_option("select[name=method]", "invitation")
            assert _visible(page, "invitation") and _visible(page, "draw invitation") and not _visible(page, "direct")
            page.select_option("select[name=method]", "draw")
            assert _visible(page, "draw invitation") and not _visible(page, "invitation")

            page.fill("input[name=title]", "平湖市某道路工程地形测绘")
            page.select_option("select[name=service_type]", "ZR01")
            page.select_option("select[name=region]", "330482")
            page.fill("input[name=ceiling]", "100000")
            page.select_option("select[name=funding]", "fiscal")
            page.fill("input[name=requested_limit_wd]", "15")
            # Two qualification rows from the catalogue: the second one added in the page.
            page.select_option("select[name=qual-0-qualification_type]", "测绘资质")
            page.select_option("select[name=qual-0-min_level]", "2")
            for _ in range(2):
                page.click("[data-rows=qual] [data-add-row]")
            assert page.input_value("input[name=qual-TOTAL_FORMS]") == "4"
            page.select_option("select[name=qual-3-qualification_type]", "工程测量资质"
                               if page.locator("select[name=qual-3-qualification_type] option[value='工程测量资质']")
                               .count() else "地质灾害防治单位资质")
            # The avoided agency, found by name.
            page.fill("#avoided [data-picker-query]", "平湖市规划")
            page.click(f"#avoided [data-uscc='{avoided.uscc}']")
            assert page.input_value("input[name=avoid-0-uscc]") == avoided.uscc
            assert page.input_value("input[name=avoid-0-name]") == avoided.name
            page.fill("input[name=avoid-0-reason]", "业主下属单位")
            page.click("#save-draft")
            page.wait_for_load_state()
            project = Project.objects.get()
            assert page.url.endswith(f"/projects/{project.code}/preview/")
            assert project.required_qualifications.count() == 2
            assert project.avoided.get().uscc == avoided.uscc
            page.screenshot(path=str(ARTIFACTS / "posting_preview_zh-hans_1280.png"), full_page=True)
            confirm_in_dialog(page, "#publish")
            project.refresh_from_db()
            assert project.status == "published"

            # A direct pick: the owner finds the agency by name on the posting page instead of typing its code.
            from projects import services
            from tests.projects.factories import make_draft

            direct = services.publish(by=owner_user, project=make_draft(
                owner_user, owner_org, method="direct", direct_reason="汛期应急抢险，金额较小", ceiling="18000"))
            page.goto(f"{live_server.url}/projects/{direct.code}/")
            assert page.inner_text("#status") == "待指定机构"
            page.fill("[data-picker=direct] [data-picker-query]", "平湖市规划")
            page.click(f"[data-picker=direct] [data-uscc='{avoided.uscc}']")
            assert page.input_value("input[name=uscc]") == avoided.uscc
            confirm_in_dialog(page, "form[action$='/direct/'] button:not([type=button])")
            direct.refresh_from_db()
            assert direct.selected is not None and direct.selected.agency_id == avoided.pk
        finally:
            browser.close()
