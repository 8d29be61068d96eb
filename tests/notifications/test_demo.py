"""After seed_demo, agency1 (the printed agency login) has an offer to confirm with its deadline, reached
through the real services, and a subscription whose feed lists matching postings."""

import io
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from marketplace.models import Subscription
from projects.models import Registration

pytestmark = pytest.mark.django_db
AGENCY1 = "agency1@demo.zjcs.cn"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            # Inside the rolled-back transaction nothing commits: run the after-commit reactions (the
            # subscribers that send the subscription matches) as a real run would.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", "--agencies", "24", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_agency1_api_lists_the_offer_naming_the_project_with_its_deadline(demo, client):
    assert AGENCY1 in demo
    assert client.login(email=AGENCY1, password="Demo-pass-2026")
    items = client.get("/api/me/notifications").json()["items"]
    offers = [i for i in items if i["kind"] == "offer"]
    assert offers, [i["kind"] for i in items]
    open_offer = Registration.objects.filter(offer=Registration.Offer.OFFERED, project__method="direct",
                                             agency__organisation__memberships__user__email=AGENCY1).get()
    (offer,) = [o for o in offers if open_offer.project.code in o["body"]]
    assert offer["deadline"] is not None
    assert offer["deadline"][:16].replace("T", " ") in offer["body"]
    assert offer["url"] == f"/projects/{open_offer.project.code}/"
    inbox = client.get(reverse("notifications")).content.decode()
    assert open_offer.project.code in inbox and "待确认中选" in inbox


def test_agency1_has_a_subscription_whose_feed_lists_matching_postings(demo, client):
    sub = Subscription.objects.get(user__email=AGENCY1, active=True)
    root = ElementTree.fromstring(client.get(reverse("subscription_rss", args=[sub.token])).content)
    items = [el for el in root.iter() if el.tag == "item"]
    assert len(items) >= 2
    assert client.login(email=AGENCY1, password="Demo-pass-2026")
    kinds = [i["kind"] for i in client.get("/api/me/notifications").json()["items"]]
    assert kinds.count("posting_new") >= 2
