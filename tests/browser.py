"""What the browser journeys share: Debian's Chromium, its flags, the artifacts folder, a signed-in page."""

import os
import shutil
from pathlib import Path

from django.test import Client

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
CHROMIUM = shutil.which("chromium") or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def session_for(browser, user, base_url):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    return context.new_page()


def confirm_in_dialog(page, button):
    """Irreversible buttons open the site's <dialog id="confirm-dialog">; the form is sent on 确认.
    `button` is a selector or a locator."""
    (page.locator(button) if isinstance(button, str) else button).click()
    page.locator("#confirm-dialog").wait_for(state="visible")
    with page.expect_navigation():
        page.click("#confirm-dialog [value=ok]")
    page.wait_for_load_state()
