"""Races on PostgreSQL: concurrent questions get distinct numbers; two owners' answers to one question
publish one answer; concurrent messages are all kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from marketplace.models import AuditEntry, Notification
from projects import clarifications
from projects.delivery import messages
from projects.models import Clarification, JobMessage
from tests.factories import OrganisationFactory, member_of
from tests.projects.factories import PUBLISH_AT, eligible_agency, make_published
from tests.projects.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner():
    org = OrganisationFactory(kind="owner")
    return org, member_of(org), member_of(org)


def test_twenty_agencies_ask_at_once(owner):
    org, user, _second = owner
    project = make_published(user, org)
    agencies = [eligible_agency() for _ in range(20)]
    now = PUBLISH_AT + dt.timedelta(hours=1)

    def make(agency):
        return lambda: clarifications.ask(by=agency.user, project=project, agency=agency, question="同时提问？", now=now)

    results = run_threads([make(a) for a in agencies])
    assert all(r[0] == "ok" for r in results), results
    assert sorted(Clarification.objects.values_list("number", flat=True)) == list(range(1, 21))


def test_two_owner_members_answer_the_same_question(owner):
    org, user, second = owner
    project = make_published(user, org)
    agency = eligible_agency()
    row = clarifications.ask(by=agency.user, project=project, agency=agency, question="谁来答？",
                             now=PUBLISH_AT + dt.timedelta(hours=1))
    now = PUBLISH_AT + dt.timedelta(hours=2)
    results = run_threads([lambda u=u, t=t: clarifications.answer(by=u, clarification=row, text=t, now=now)
                           for u, t in ((user, "甲的答复"), (second, "乙的答复"))])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert isinstance(next(r[1] for r in results if r[0] == "error"), ValidationError)
    assert AuditEntry.objects.filter(action="projects.clarification_answered").count() == 1
    assert Notification.objects.filter(kind="clarification_answered", recipient=agency.user).count() == 1


def test_both_sides_write_at_once(owner):
    from django.utils import timezone

    from projects.delivery import services as delivery
    from tests.factories import AgencyFactory, ProjectFactory

    org, user, _second = owner
    agency = AgencyFactory()
    agency_user = member_of(agency.organisation)
    project = ProjectFactory(owner=org, status="contracting")
    job = delivery.start_service(project=project, agency=agency, contract_signed_on=timezone.localdate(), limit_wd=5,
                                 by=user, materials_complete_on=timezone.localdate(), now=timezone.now())
    results = run_threads([lambda u=u, n=n: messages.send_message(by=u, job=job, body=f"消息{n}")
                           for n, u in enumerate([user, agency_user] * 5)])
    assert all(r[0] == "ok" for r in results), results
    assert JobMessage.objects.filter(job=job).count() == 10
    assert AuditEntry.objects.filter(action="projects.message_sent").count() == 10
