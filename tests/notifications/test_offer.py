"""An offer cannot lapse unannounced: the agency is told in the selection's own transaction, the
confirmation deadline runs from that moment, and an agency nobody can be told about is recorded
and its owner is told."""

import datetime as dt
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from marketplace.models import AuditEntry, Notification
from marketplace.policy import current_policy
from projects import services
from projects.services._base import deadline_after
from tests.projects.factories import AFTER, PUBLISH_AT, make_published, register_all

pytestmark = pytest.mark.django_db


def _direct(owner_user, owner_org, agency, django_capture_on_commit_callbacks, now=PUBLISH_AT):
    project = make_published(owner_user, owner_org, method="direct", direct_reason="金额较小，应急测绘",
                             ceiling=Decimal("20000"))
    with django_capture_on_commit_callbacks(execute=True):
        project = services.select_direct(by=owner_user, project=project, agency=agency, now=now)
    return project


def test_direct_pick_tells_the_agency_with_the_deadline_counted_from_the_notification(
        owner_user, owner_org, agencies, django_capture_on_commit_callbacks):
    agency = agencies[0]
    project = _direct(owner_user, owner_org, agency, django_capture_on_commit_callbacks)
    row = Notification.objects.get(recipient=agency.user, kind="offer")
    registration = project.selected
    assert row.created_at == registration.offered_at == PUBLISH_AT
    assert registration.confirm_by == deadline_after(row.created_at, current_policy().confirm_within_wd,
                                                     current_policy())
    assert row.deadline == registration.confirm_by
    assert project.code in row.title and project.code in row.body
    assert timezone.localtime(registration.confirm_by).strftime("%Y-%m-%d %H:%M") in row.body
    assert row.url == f"/projects/{project.code}/"
    assert [m.to for m in mail.outbox if project.code in m.subject] == [[agency.user.email]]
    # The after-commit subscriber of the same event adds nothing: one offer, one message.
    assert Notification.objects.filter(kind="offer").count() == 1
    assert not AuditEntry.objects.filter(action="projects.offer_unreachable").exists()


def test_the_notification_rolls_back_with_a_refused_selection(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="direct", direct_reason="金额较小，应急测绘",
                             ceiling=Decimal("20000"))
    agencies[1].status = "suspended"
    agencies[1].save(update_fields=["status"])
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the point is that nothing is left behind
        services.select_direct(by=owner_user, project=project, agency=agencies[1], now=PUBLISH_AT)
    assert not Notification.objects.filter(kind="offer").exists()


def test_an_agency_without_a_verified_member_is_recorded_and_the_owner_is_told(
        owner_user, owner_org, agencies, django_capture_on_commit_callbacks):
    agency = agencies[0]
    EmailAddress.objects.filter(user=agency.user).update(verified=False)
    project = _direct(owner_user, owner_org, agency, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get(action="projects.offer_unreachable")
    assert entry.data["code"] == project.code and entry.data["agency"] == agency.pk
    told = Notification.objects.get(recipient=owner_user, kind="offer_unreachable")
    assert project.code in told.body and agency.name in told.body
    assert told.deadline == project.selected.confirm_by


def test_an_inactive_member_does_not_count_as_reachable(owner_user, owner_org, agencies,
                                                        django_capture_on_commit_callbacks):
    agency = agencies[0]
    agency.user.is_active = False
    agency.user.save(update_fields=["is_active"])
    _direct(owner_user, owner_org, agency, django_capture_on_commit_callbacks)
    assert AuditEntry.objects.filter(action="projects.offer_unreachable").count() == 1


def test_a_draw_offers_the_first_and_then_the_next_each_told_with_its_own_deadline(
        owner_user, owner_org, agencies, django_capture_on_commit_callbacks):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    with django_capture_on_commit_callbacks(execute=True):
        project = services.select_provider(by=owner_user, project=project, now=AFTER)
    first = project.selected
    offered = Notification.objects.get(kind="offer")
    assert offered.recipient == first.agency.organisation.memberships.get().user
    later = AFTER + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_selection(by=offered.recipient, registration=first, reason="人手不足", now=later)
    project.refresh_from_db()
    second = Notification.objects.filter(kind="offer").exclude(pk=offered.pk).get()
    assert second.recipient != offered.recipient and second.created_at == later
    assert second.deadline == project.selected.confirm_by
    # The owner is told about the refusal.
    assert Notification.objects.filter(recipient=owner_user, kind="selection_answered").exists()
