"""Browser journey: the owner publishes → the subscribed agency finds it in its inbox and mail → the owner
picks it directly → the agency's inbox shows the offer with its deadline → it confirms from there.
(The clarification Q&A step of issue 15's journey is joined by the integrator.)"""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from marketplace import subscriptions
from marketplace.models import Notification
from projects.models import Project, Registration
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, confirm_in_dialog, session_for  # noqa: F401
from tests.projects.factories import eligible_agency, make_draft


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_publish_subscriber_told_direct_pick_offer_with_deadline_confirm(live_server, owner_org, owner_user):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    agency = eligible_agency()
    subscriptions.subscribe(by=agency.user, name="测绘", service_types=["ZR01"], regions=["330400"])
    draft = make_draft(owner_user, owner_org, now=timezone.now(), method="direct", ceiling=Decimal("18000"),
                       direct_reason="汛期应急抢险，金额较小", title="平湖市应急排涝泵站地形测绘")
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            owner_page = session_for(browser, owner_user, base)
            agency_page = session_for(browser, agency.user, base)

            # The owner publishes.
            owner_page.goto(f"{base}/projects/{draft.code}/")
            confirm_in_dialog(owner_page, "#publish")
            expect(owner_page.locator("text=待指定机构").first).to_be_visible()

            # The subscribed agency finds it in its inbox (with an unread count) and in its mail.
            agency_page.goto(f"{base}/notifications/")
            expect(agency_page.locator(".site-nav .badge")).to_be_visible()
            expect(agency_page.locator('li[data-kind="posting_new"]')).to_contain_text(draft.code)
            assert any(draft.code in m.body and m.to == [agency.user.email] for m in mail.outbox)
            agency_page.screenshot(path=str(ARTIFACTS / "notify-1-subscription.png"), full_page=True)

            # The owner names the agency directly.
            owner_page.goto(f"{base}/projects/{draft.code}/")
            owner_page.fill('input[name="uscc"]', agency.uscc)
            confirm_in_dialog(owner_page, owner_page.get_by_role("button", name="指定", exact=True))
            expect(owner_page.locator("#selected-agency")).to_have_text(agency.name)

            # The agency's inbox shows the offer with its deadline; it follows the link and confirms.
            registration = Registration.objects.get(project__code=draft.code, agency=agency)
            deadline = timezone.localtime(registration.confirm_by).strftime("%Y-%m-%d %H:%M")
            agency_page.goto(f"{base}/notifications/")
            offer = agency_page.locator('li[data-kind="offer"]')
            expect(offer).to_contain_text(draft.code)
            expect(offer.locator(".deadline")).to_contain_text(deadline)
            agency_page.screenshot(path=str(ARTIFACTS / "notify-2-offer.png"), full_page=True)
            offer.locator("button").click()
            expect(agency_page).to_have_url(f"{base}/projects/{draft.code}/")
            confirm_in_dialog(agency_page, "#confirm")
            expect(agency_page.locator("text=公示").first).to_be_visible()
            agency_page.screenshot(path=str(ARTIFACTS / "notify-3-confirmed.png"), full_page=True)
        finally:
            browser.close()

    assert Project.objects.get(code=draft.code).status == Project.Status.PUBLICITY
    assert Notification.objects.get(recipient=agency.user, kind="offer").read_at is not None
    assert Notification.objects.filter(recipient=owner_user, kind="selection_answered").exists()
