"""Issue 15's browser journey end to end, on a draw posting:

the owner publishes → the subscribed agency finds it in its inbox and its mail → it asks a clarification
question → the owner sees the question in the inbox and answers publicly → every registrant reads the
answer on the posting → at the registration deadline the owner runs the draw → the first agency in the
drawn order finds the offer with its confirmation deadline in its inbox → it confirms from there.

Time is one controlled clock (the live server runs in this process). It is patched in two places because
the code reads it in two places: the services act at `projects.services._base.clock`, while the pages
decide which buttons and forms to show (publish, 提问, 截止并抽签) by `django.utils.timezone.now`.
"""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from marketplace import subscriptions
from marketplace.models import Notification
from projects import services
from projects.draw import SHANGHAI
from projects.models import Clarification, Project, Registration
from projects.services import _base as services_base
from tests.projects.factories import eligible_agency, make_draft

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
CHROMIUM = shutil.which("chromium") or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

PUBLISH_AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # Tuesday
DEADLINE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=SHANGHAI)  # three working days later, 17:00
CONFIRM_BY = dt.datetime(2026, 3, 16, 17, 0, tzinfo=SHANGHAI)  # one working day after the draw (Monday)
QUESTION = "成果是否需要提交CAD格式？"
ANSWER = "需要，同时提交PDF。"


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self, now=None):
        return now or self.now


def session_for(browser, user, base_url):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    return page

from tests.browser import confirm_in_dialog  # noqa: E402


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)



@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_publish_subscribe_ask_answer_draw_offer_confirm(live_server, owner_org, owner_user, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    clock = Clock(PUBLISH_AT - dt.timedelta(minutes=30))
    monkeypatch.setattr(services_base, "clock", clock)
    monkeypatch.setattr(timezone, "now", clock)
    subscriber = eligible_agency(name="嘉兴测绘服务有限公司")
    others = [eligible_agency(name=f"平湖勘测规划有限公司{i}") for i in (1, 2)]
    agencies = {a.pk: a for a in [subscriber, *others]}
    subscriptions.subscribe(by=subscriber.user, name="嘉兴测绘", service_types=["ZR01"], regions=["330400"])
    draft = make_draft(owner_user, owner_org, now=clock.now, title="平湖市某道路工程地形测绘")
    base = live_server.url
    posting = f"{base}/projects/{draft.code}/"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            owner = session_for(browser, owner_user, base)
            pages = {a.pk: session_for(browser, a.user, base) for a in agencies.values()}
            agency = pages[subscriber.pk]

            # 1. The owner publishes (the site asks first).
            clock.now = PUBLISH_AT
            owner.goto(posting)
            confirm_in_dialog(owner, "#publish")
            expect(owner.locator("#status")).to_have_attribute("data-status", "published")
            project = Project.objects.get(code=draft.code)
            assert project.registration_deadline == DEADLINE
            shot(owner, "1-published")

            # 2. The subscribed agency finds it in its inbox (unread count in the navigation) and in its mail.
            agency.goto(f"{base}/notifications/")
            expect(agency.locator(".site-nav .badge")).to_be_visible()
            expect(agency.locator('li[data-kind="posting_new"]')).to_contain_text(draft.code)
            shot(agency, "2-subscription-inbox")
            told = [m for m in mail.outbox if m.to == [subscriber.user.email] and draft.code in m.body]
            assert len(told) == 1, [(m.to, m.subject) for m in mail.outbox]

            # 3. It follows the notice to the posting, asks a question, and registers.
            clock.now = PUBLISH_AT + dt.timedelta(hours=1)
            agency.locator('li[data-kind="posting_new"] button').click()
            expect(agency).to_have_url(posting)
            agency.fill('#ask-form textarea[name="question"]', QUESTION)
            agency.click("#ask-form button")
            expect(agency.locator("#clarifications")).to_contain_text(QUESTION)
            agency.click("#register-link")
            agency.fill("input[name=quote]", "90000")
            agency.click("#register-form button")
            agency.wait_for_load_state()
            expect(agency.locator("main")).to_contain_text("报名成功")
            shot(agency, "3-asked-and-registered")
            # The other two register through the service (the browser is not the point there).
            for other in others:
                services.register(by=other.user, project=project, agency=other, quote=None)

            # 4. The owner's inbox shows the question (never the asker); the owner answers publicly.
            clock.now = PUBLISH_AT + dt.timedelta(hours=5)
            owner.goto(f"{base}/notifications/")
            asked = owner.locator('li[data-kind="clarification_asked"]')
            expect(asked).to_contain_text(QUESTION)
            expect(asked.locator(".deadline")).to_be_visible()
            expect(asked).not_to_contain_text(subscriber.name)
            shot(owner, "4-owner-inbox-question")
            asked.locator("button").click()
            expect(owner.locator("#clarifications")).not_to_contain_text(subscriber.name)
            owner.click("#clarifications >> text=答复")
            owner.fill('textarea[name="answer"]', ANSWER)
            owner.click("#answer-form button")
            expect(owner.locator("#clarifications")).to_contain_text(ANSWER)
            shot(owner, "5-answered")

            # 5. Every registrant reads the answer on the posting, without the asker's name.
            for pk, page in pages.items():
                page.goto(posting)
                expect(page.locator("#clarifications")).to_contain_text(QUESTION)
                expect(page.locator("#clarifications")).to_contain_text(ANSWER)
                if pk != subscriber.pk:
                    expect(page.locator("#clarifications")).not_to_contain_text(subscriber.name)
            shot(pages[others[0].pk], "6-registrant-reads-answer")

            # 6. At the deadline the owner closes and runs the draw.
            clock.now = DEADLINE
            owner.goto(posting)
            confirm_in_dialog(owner, "#run-selection")
            project.refresh_from_db()
            assert project.status == Project.Status.CONFIRMING
            first = agencies[project.selected.agency_id]
            assert first.uscc == project.draw_record["order"][0]
            expect(owner.locator("#selected-agency")).to_contain_text(first.name)
            shot(owner, "7-drawn")

            # 7. The first drawn agency's inbox shows the offer with its deadline; it confirms from there.
            clock.now = DEADLINE + dt.timedelta(minutes=20)
            drawn = pages[first.pk]
            drawn.goto(f"{base}/notifications/")
            offer = drawn.locator('li[data-kind="offer"]')
            expect(offer).to_contain_text(draft.code)
            expect(offer.locator(".deadline")).to_contain_text(CONFIRM_BY.strftime("%Y-%m-%d %H:%M"))
            shot(drawn, "8-offer-inbox")
            offer.locator("button").click()
            expect(drawn).to_have_url(posting)
            confirm_in_dialog(drawn, "#confirm")
            expect(drawn.locator("#status")).to_have_attribute("data-status", "publicity")
            shot(drawn, "9-confirmed")
        finally:
            browser.close()

    project.refresh_from_db()
    assert project.status == Project.Status.PUBLICITY
    registration = Registration.objects.get(project=project, agency=first)
    assert registration.offer == Registration.Offer.CONFIRMED and registration.confirm_by == CONFIRM_BY
    offer_note = Notification.objects.get(recipient=first.user, kind="offer")
    assert offer_note.deadline == CONFIRM_BY and offer_note.read_at is not None
    assert draft.code in offer_note.body
    clarification = Clarification.objects.get(project=project)
    assert (clarification.question, clarification.answer) == (QUESTION, ANSWER)
    for a in agencies.values():  # every registrant (the asker among them) was told of the answer
        assert Notification.objects.filter(recipient=a.user, kind="clarification_answered").exists()
    assert Notification.objects.filter(recipient=subscriber.user, kind="posting_new").count() == 1
    assert any(m.to == [subscriber.user.email] and draft.code in m.body for m in mail.outbox)
