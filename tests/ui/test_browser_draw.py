"""The browser verifier (marketplace/static/marketplace/verify_draw.js, Web Crypto) and tools/verify_draw.py give
the same verdict on a valid record and on every single-field alteration of it."""

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from projects import draw
from tests.factories import AgencyFactory, ProjectFactory
from tests.projects.verifier import verify_draw

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
CHROMIUM = shutil.which("chromium") or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def alterations(record):
    """(label, record) for the valid record, each field changed, each field removed, and a few type errors."""
    yield "valid", record
    for key, value in record.items():
        changed = copy.deepcopy(record)
        if isinstance(value, str):
            changed[key] = value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
        elif isinstance(value, list) and value and isinstance(value[0], str):
            changed[key] = list(reversed(value)) if len(value) > 1 else [*value, value[0]]
        elif isinstance(value, list):
            changed[key] = [*value, {"uscc": record["order"][0], "reason": "重复报名"}]
        elif value is None:
            changed[key] = record["order"][0]
        else:
            changed[key] = None
        yield f"{key} changed", changed
        removed = {k: v for k, v in record.items() if k != key}
        yield f"{key} removed", removed
    yield "secret not a string", {**record, "secret": 42}
    yield "candidates not a list", {**record, "candidates": "x"}
    yield "excluded reason blank", {**record, "excluded": [{"uscc": "91330482MA2Z00001X", "reason": " "}]}
    yield "abandoned not the head", {**record, "abandoned": [record["order"][-1]]}
    yield "not an object", ["a"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_and_script_agree_on_every_alteration(live_server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    agencies = [AgencyFactory(status="admitted") for _ in range(4)]
    record = draw.build_record(project_code="PH-2026-0901", closed_at="2026-03-13T17:00:00+08:00",
                               secret="7f3a9c2e5b1d4086a2c4e6f8091b3d5f", beacon="00af",
                               eligible=[a.uscc for a in agencies[:3]],
                               excluded=[{"uscc": agencies[3].uscc, "reason": "资质等级不足"}])
    record = draw.with_abandoned(record, record["selected"])
    project = ProjectFactory(code="PH-2026-0901", status="publicity", draw_record=record)
    cases = list(alterations(record))
    assert len(cases) > 20

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
            page.goto(f"{live_server.url}/projects/{project.code}/draw/")
            # Names beside codes, and the verdict on the published record.
            for agency in agencies[:3]:
                expect(page.locator(f'tr[data-uscc="{agency.uscc}"]')).to_contain_text(agency.name)
            expect(page.locator("#draw-verdict")).to_have_text("验证通过")
            page.screenshot(path=str(ARTIFACTS / "draw_record_zh_1280.png"), full_page=True)
            assert page.locator("#verify-tool").get_attribute("href") == "/tools/verify_draw.py"

            disagreements = []
            for label, case in cases:
                in_browser = page.evaluate("r => window.verifyDraw(r)", case)
                by_script = verify_draw.check(case)
                if in_browser != by_script:
                    disagreements.append((label, in_browser, by_script))
                # The digest is optional in the record format (older records have none): removing it is valid.
                if label not in ("valid", "digest removed"):
                    assert by_script is not None, f"{label}: the script accepts an altered record"
            assert disagreements == []

            # Through the page: edit one field, press 验证, the first mismatch is named.
            tampered = copy.deepcopy(record)
            tampered["seed"] = "0" * 64
            page.fill("#draw-json", json.dumps(tampered, ensure_ascii=False))
            page.click("[data-verify-draw]")
            expect(page.locator("#draw-verdict")).to_have_text("验证未通过：种子与输入不符")
            page.screenshot(path=str(ARTIFACTS / "draw_record_tampered_zh_1280.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{live_server.url}/projects/{project.code}/draw/")
            expect(page.locator("#draw-verdict")).to_have_text("验证通过")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the draw page is {width}px wide at 390px"
            page.screenshot(path=str(ARTIFACTS / "draw_record_zh_390.png"), full_page=True)
        finally:
            browser.close()


@pytest.mark.django_db
def test_the_checker_is_served_for_download(client):
    response = client.get("/tools/verify_draw.py")
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert body == (Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_draw_page_refuses_a_project_without_a_record(client):
    project = ProjectFactory(status="publicity", draw_record=None)
    assert client.get(f"/projects/{project.code}/draw/").status_code == 404
    draft = ProjectFactory(status="draft", draw_record={"x": 1})
    assert client.get(f"/projects/{draft.code}/draw/").status_code == 404
