import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

from marketplace import events
from marketplace.models import Organisation
from tests.factories import OrganisationFactory, UserFactory, member_of

# Browser journeys against an external stack (tools/prod_stack.sh: nginx → gunicorn → PostgreSQL + Redis)
# instead of pytest-django's live server: LIVE_URL is its address, DATABASE_URL names the database the
# stack serves (as pytest-django's test database, reused with --reuse-db).
LIVE_URL = os.environ.get("LIVE_URL", "").rstrip("/")
# Journeys that cannot run against an external server yet, with the reason (docs/operations.md §10).
LIVE_UNSUPPORTED = {
    "tests/delivery/test_browser.py::test_pause_supply_late_delivery_accept":
        "dates the job in the past through the test process's services; the stack's red marker is not found "
        "(not yet diagnosed)",
}

if LIVE_URL:
    @pytest.fixture
    def live_server(transactional_db):
        """The external stack in place of `live_server` (its cache emptied: the data is new each test)."""
        from types import SimpleNamespace

        if os.environ.get("LIVE_REDIS_URL"):
            import redis

            redis.Redis.from_url(os.environ["LIVE_REDIS_URL"]).flushdb()
        # pytest-django's autouse helper toggles the live server's settings override around each test.
        settings_override = SimpleNamespace(enable=lambda: None, disable=lambda: None)
        return SimpleNamespace(url=LIVE_URL, _live_server_modified_settings=settings_override)


def pytest_collection_modifyitems(config, items):
    is_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    browser = shutil.which("chromium") or os.environ.get("CHROMIUM_PATH")
    skip_browser = pytest.mark.skip(reason="no Chromium installed (apt-get install chromium)")
    for item in items:
        if "postgres" in item.keywords and not is_pg:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not browser:
            item.add_marker(skip_browser)
        if LIVE_URL and "browser" in item.keywords:
            source = Path(str(item.fspath)).read_text()
            if "mail.outbox" in source:
                item.add_marker(pytest.mark.skip(reason="reads the test process's mail outbox (not the stack's)"))
            elif "monkeypatch" in source or item.nodeid in LIVE_UNSUPPORTED:
                item.add_marker(pytest.mark.skip(reason=LIVE_UNSUPPORTED.get(
                    item.nodeid, "moves the clock inside the test process, which the stack's server cannot see")))


def _flush_past_the_truncate_guard():
    """Let the test runner's flush (TRUNCATE after transactional tests) through the audit tables' guard.

    PostgreSQL refuses TRUNCATE on the audit tables (migration marketplace/0005); the test database is
    flushed as a superuser, whose `session_replication_role = replica` skips triggers for that one
    transaction. A restricted application role cannot do this (docs/operations.md).
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "_skips_guard", False):
        return

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements:
            return statements
        # Replica mode skips every trigger, also the one that empties the search vectors (marketplace
        # 0004) when the documents are truncated: empty them here instead.
        extra = ["TRUNCATE marketplace_search_vector"] if "marketplace_searchdocument" in tables else []
        return ["SET LOCAL session_replication_role = replica", *statements, *extra]

    sql_flush._skips_guard = True
    DatabaseOperations.sql_flush = sql_flush


_flush_past_the_truncate_guard()

# Actions the kernel's own tests record; declared once per test process like an app's events.py.
for _action in ("tests.thing_done", "tests.subscribed", "tests.boom", "tests.a", "tests.b", "tests.c"):
    if _action not in events.declared():
        events.declare(_action, "an action recorded by the kernel's tests", n=int | None)


@pytest.fixture(scope="session", autouse=True)
def _translations():
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, page caches and calendar caches must not leak from one test into another."""
    from django.core.cache import cache

    from marketplace import workdays

    cache.clear()
    workdays.invalidate()
    yield
    cache.clear()


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def anon_client(client):
    return client


@pytest.fixture
def owner_org(db):
    return OrganisationFactory(kind=Organisation.Kind.OWNER, name="平湖市住房和城乡建设局")


@pytest.fixture
def other_owner_org(db):
    return OrganisationFactory(kind=Organisation.Kind.OWNER, name="嘉善县交通运输局")


@pytest.fixture
def regulator_org(db):
    return OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="平湖市行政审批局")


@pytest.fixture
def operator_org(db):
    return OrganisationFactory(kind=Organisation.Kind.OPERATOR, name="平湖市公共资源交易中心")


@pytest.fixture
def owner_user(owner_org):
    return member_of(owner_org)


@pytest.fixture
def other_owner_user(other_owner_org):
    return member_of(other_owner_org)


@pytest.fixture
def regulator_user(regulator_org):
    return member_of(regulator_org)


@pytest.fixture
def operator_user(operator_org):
    return member_of(operator_org)


@pytest.fixture
def plain_user(db):
    return UserFactory()
