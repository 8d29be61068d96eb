"""Concurrent event handlers: a replay waits and finds the notice; different notices never collide."""

import threading
from collections import defaultdict

import pytest
from django.db import connection

from cms import subscribers as events
from cms.models import NoticePage
from marketplace import audit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_replays_and_parallel_postings(published_project, monkeypatch):
    from cms.tree import ensure_page_tree

    ensure_page_tree()
    with monkeypatch.context() as patch:  # record entries without running handlers; the threads run them
        patch.setattr(audit, "_subscribers", defaultdict(list))
        projects = [published_project() for _ in range(3)]
        entries = [audit.record(action="projects.published", obj=p) for p in projects]
    calls = [lambda e=entries[0]: events.on_posting(e)] * 3 + [lambda e=e: events.on_posting(e) for e in entries[1:]]
    errors = run_together(calls)
    assert errors == []
    assert NoticePage.objects.count() == 3
    for project in projects:
        notice = NoticePage.objects.get(object_id=str(project.pk))
        assert notice.live and notice.revisions.count() == 1
    from wagtail.models import Page

    assert Page.find_problems() == ([], [], [], [], [])
