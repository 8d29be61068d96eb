"""Racing transitions on PostgreSQL: row locks make each happen once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from agencies.models import CreditEvent
from marketplace.models import AuditEntry, Notification
from marketplace.notify import notify
from projects.delivery import services
from projects.delivery.models import ClockPause
from tests.delivery.conftest import D, at
from tests.delivery.files import pdf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(("ok", fn()))
        except Exception as exc:  # collected for the assertions
            results.append(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_double_accept_records_one_event(job, agency_user, owner_user):
    d = services.submit_deliverable(job=job, files=[pdf()], by=agency_user, now=at(D(2025, 10, 24)))
    results = race(lambda: services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 27))), n=3)
    assert sorted(kind for kind, _ in results) == ["error", "error", "ok"]
    assert CreditEvent.objects.filter(code="overdue_major").count() == 1
    assert AuditEntry.objects.filter(action="projects.deliverable_accepted").count() == 1


def test_accept_and_return_race_one_wins(job, agency_user, owner_user):
    d = services.submit_deliverable(job=job, files=[pdf()], by=agency_user, now=at(D(2025, 10, 17)))
    calls = iter([
        lambda: services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 20))),
        lambda: services.return_deliverable(deliverable=d, reason="图幅不全需补测", by=owner_user, now=at(D(2025, 10, 20))),
    ])
    lock = threading.Lock()

    def one():
        with lock:
            fn = next(calls)
        return fn()

    results = race(one)
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    d.refresh_from_db()
    job.refresh_from_db()
    assert (d.decision, job.status) in {("accepted", "accepted"), ("returned", "returned")}


def test_double_pause_creates_one_pause(job, agency_user):
    results = race(lambda: services.request_pause(job=job, request="请提供规划条件", by=agency_user,
                                                  now=at(D(2025, 10, 9))))
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert ClockPause.objects.count() == 1


def test_concurrent_notify_sends_once(owner_user):
    mail.outbox.clear()
    race(lambda: notify(key="race:1", recipients=owner_user, kind="red", title="逾期"), n=4)
    assert Notification.objects.filter(key="race:1").count() == 1
    assert len(mail.outbox) == 1
