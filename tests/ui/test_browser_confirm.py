"""Irreversible actions ask first: 发布 opens the site's dialog; 取消 sends nothing, 确认 sends the form."""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from projects.models import Project
from tests.factories import ProjectFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
CHROMIUM = shutil.which("chromium") or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_publish_asks_for_confirmation(live_server, owner_org, owner_user):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    project = ProjectFactory(owner=owner_org, status="draft", title="平湖市当湖街道道路工程地形测绘")
    client = Client()
    client.force_login(owner_user)
    posts = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale="zh-CN")
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
            page = context.new_page()
            page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
            page.goto(f"{live_server.url}/projects/{project.code}/")
            page.click("#publish")
            dialog = page.locator("#confirm-dialog")
            expect(dialog).to_be_visible()
            expect(dialog).to_contain_text("确认发布")
            page.screenshot(path=str(ARTIFACTS / "confirm_publish_zh_1280.png"))
            page.click("#confirm-dialog [value=cancel]")
            expect(dialog).to_be_hidden()
            assert posts == [] and Project.objects.get(pk=project.pk).status == "draft"
            page.click("#publish")
            with page.expect_navigation():
                page.click("#confirm-dialog [value=ok]")
            assert posts == [f"{live_server.url}/projects/{project.code}/publish/"]
        finally:
            browser.close()


@pytest.mark.django_db
def test_irreversible_forms_carry_a_confirmation(client, owner_org, owner_user):
    project = ProjectFactory(owner=owner_org, status="draft")
    client.force_login(owner_user)
    html = client.get(f"/projects/{project.code}/").content.decode()
    assert 'id="confirm-dialog"' in html and "marketplace/confirm.js" in html
    start = html.index(f'action="/projects/{project.code}/publish/"')
    assert "data-confirm=" in html[start:html.index(">", start)]
    assert "<script>" not in html and " onclick=" not in html  # CSP: no inline script
