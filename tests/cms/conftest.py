import datetime as dt
import os

import pytest
from django.utils import timezone

from marketplace import audit
from tests.factories import ProjectFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def tree(db):
    """The page tree the data migration created (rebuilt if a transactional test flushed it)."""
    from cms.tree import ensure_page_tree

    return ensure_page_tree()


@pytest.fixture
def record_event(django_capture_on_commit_callbacks):
    """Record an audit entry the way the marketplace services do and run its subscribers on commit."""

    def record(action, obj, data=None, reason="", by=None, now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return audit.record(action=action, obj=obj, data=data or {}, reason=reason, by=by, now=now)

    return record


@pytest.fixture
def published_project(db):
    def make(**kwargs):
        kwargs.setdefault("status", "published")
        kwargs.setdefault("published_at", timezone.now())
        kwargs.setdefault("registration_deadline", timezone.now() + dt.timedelta(days=5))
        return ProjectFactory(**kwargs)

    return make
