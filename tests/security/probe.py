"""Requests for the route × role matrix: one client per role, each request in a rolled-back savepoint,
with a count of every table's rows (and the audit chain) before and after."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie

from django.db import connection, transaction
from django.test import Client

# A login session, and the profile Wagtail creates the first time an editor sees a page, are not writes
# by the role.
SKIP_TABLES = {"django_session", "wagtailusers_userprofile"}


class _Rollback(Exception):
    pass


def _count_sql() -> str:
    tables = [t for t in connection.introspection.table_names() if t not in SKIP_TABLES]
    q = connection.ops.quote_name
    return " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {q(t)}" for t in tables)


_SQL: dict = {}


def row_counts() -> dict:
    sql = _SQL.get(connection.alias) or _SQL.setdefault(connection.alias, _count_sql())
    with connection.cursor() as cur:
        cur.execute(sql)
        return dict(cur.fetchall())


@dataclass
class Outcome:
    status: int
    location: str
    changed: dict  # table → (before, after) for every table whose row count changed

    @property
    def to_login(self) -> bool:
        return self.status in (301, 302, 303) and any(
            door in self.location for door in ("/accounts/login/", "/admin/login/", "/django-admin/login/"))


def clients(world) -> dict:
    out = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        # Restored before each request: a logout (or a view's own cookie) must not change the next one's role.
        client.saved_cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        out[role] = client
    return out


def request(client: Client, method: str, url: str) -> Outcome:
    """Send one request inside a savepoint that is rolled back, so the world is the same afterwards."""
    client.cookies = SimpleCookie(client.saved_cookies)
    before = row_counts()
    outcome = None
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif method == "POST_JSON":
                response = client.post(url, "{}", content_type="application/json")
            else:
                response = client.post(url, {})
            after = row_counts()
            changed = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
            outcome = Outcome(response.status_code, response.get("Location", ""), changed)
            raise _Rollback
    except _Rollback:
        pass
    return outcome
