"""Browser journey: an owner posts a need, three agencies register, the draw runs at the deadline, the
first in the order confirms, publicity passes, and the owner uploads the signed contract.

Time is driven by a controlled clock patched into the service layer (the live server runs in this
process), so the deadline, the confirmation window and the publicity window are exact working days.
"""

import datetime as dt
import os

import pytest

from projects.draw import SHANGHAI
from projects.models import Project
from projects.services import _base as services_base
from tests.factories import PASSWORD, OrganisationFactory, member_of
from tests.projects.factories import eligible_agency
from tests.projects.verifier import verify_draw

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self, now=None):
        return now or self.now


def shot(page, name):
    from pathlib import Path

    path = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"projects-{name}.png"), full_page=True)


def test_post_register_draw_confirm_publicity_contract(live_server, monkeypatch, tmp_path):
    from playwright.sync_api import sync_playwright

    clock = Clock(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(services_base, "clock", clock)
    owner_org = OrganisationFactory(kind="owner", name="平湖市住房和城乡建设局")
    owner = member_of(owner_org)
    agencies = [eligible_agency(name=f"嘉兴测绘服务有限公司{i}") for i in range(3)]
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)

        def session(user):
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15000)
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=login]", user.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            return page

        # 1. The owner drafts and publishes.
        op = session(owner)
        op.goto(f"{live_server.url}/projects/new/")
        op.fill("input[name=title]", "平湖市某道路工程地形测绘")
        op.select_option("select[name=service_type]", "ZR01")
        op.select_option("select[name=region]", "330482")
        op.fill("textarea[name=scope]", "1:500 地形图测绘约 2 平方公里")
        op.fill("input[name=ceiling]", "100000")
        op.select_option("select[name=funding]", "fiscal")
        op.select_option("select[name=method]", "draw")
        op.fill("input[name=requested_limit_wd]", "15")
        op.fill("input[name=avoid-0-uscc]", "91330400MA28000010")
        op.fill("input[name=avoid-0-name]", "平湖市规划设计院")
        op.fill("input[name=avoid-0-reason]", "业主下属单位")
        op.click("#save-draft")
        op.wait_for_load_state()
        op.click("#publish")
        with op.expect_navigation():  # irreversible: the site asks first
            op.click("#confirm-dialog [value=ok]")
        op.wait_for_load_state()
        project = Project.objects.get()
        assert project.status == "published"
        assert project.registration_deadline == dt.datetime(2026, 3, 13, 17, 0, tzinfo=SHANGHAI)
        assert project.draw_commitment in op.inner_text("#commitment")
        shot(op, "1-published")

        # 2. Three agencies register during the window.
        clock.now = dt.datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)
        pages = {}
        for agency in agencies:
            ap = session(agency.user)
            ap.goto(f"{live_server.url}/projects/{project.code}/")
            ap.click("#register-link")
            ap.fill("input[name=quote]", "90000")
            ap.click("#register-form button")
            ap.wait_for_load_state()
            assert "报名成功" in ap.inner_text("main")
            pages[agency.pk] = ap
        assert project.registrations.count() == 3
        # Sealed: the owner's page does not show the amounts before the deadline.
        op.reload()
        assert "90000" not in op.inner_text("main")

        # 3. At the deadline the owner closes and runs the draw.
        clock.now = dt.datetime(2026, 3, 13, 17, 0, tzinfo=SHANGHAI)
        op.reload()
        op.click("#run-selection")
        with op.expect_navigation():
            op.click("#confirm-dialog [value=ok]")
        op.wait_for_load_state()
        project.refresh_from_db()
        assert project.status == "confirming"
        record = op.request.get(f"{live_server.url}/api/projects/{project.code}/draw").json()
        assert verify_draw.check(record) is None
        assert record["closed_at"] == "2026-03-13T17:00:00+08:00"
        first = project.selected.agency
        assert first.uscc == record["order"][0]
        assert first.name in op.inner_text("#selected-agency")
        shot(op, "2-drawn")

        # 4. The first in the order confirms within one working day (Monday 16 March, 17:00).
        clock.now = dt.datetime(2026, 3, 16, 9, 30, tzinfo=SHANGHAI)
        ap = pages[first.pk]
        ap.goto(f"{live_server.url}/projects/{project.code}/")
        ap.click("#confirm")
        with ap.expect_navigation():
            ap.click("#confirm-dialog [value=ok]")
        ap.wait_for_load_state()
        project.refresh_from_db()
        assert project.status == "publicity"
        assert project.publicity_ends_on == dt.date(2026, 3, 19)
        shot(ap, "3-confirmed")

        # 5. Publicity passes (three working days, no objection); the owner moves to the contract.
        clock.now = dt.datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)
        op.goto(f"{live_server.url}/projects/{project.code}/")
        op.click("#end-publicity")
        with op.expect_navigation():
            op.click("#confirm-dialog [value=ok]")
        op.wait_for_load_state()
        project.refresh_from_db()
        assert project.status == "contracting"
        assert "业主签订合同" in op.inner_text("#whose-turn")

        # 6. The owner signs and uploads the scan; the service starts.
        clock.now = dt.datetime(2026, 3, 23, 10, 0, tzinfo=SHANGHAI)
        op.click("#contract-link")
        op.fill("input[name=signed_on]", "2026-03-23")
        op.set_input_files("input[name=file]", str(pdf))
        op.click("main form button")
        op.wait_for_load_state()
        project.refresh_from_db()
        assert project.status == "in_service"
        assert project.contract_signed_on == dt.date(2026, 3, 23)
        assert "服务中" in op.inner_text("#status")
        shot(op, "4-contract")
        browser.close()
