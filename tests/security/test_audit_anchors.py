"""Finding 5: the audit chain catches the four kinds of tampering a probe found, with published anchors."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from marketplace import anchors, audit, periodic
from marketplace.models import AuditAnchor, AuditEntry, AuditHead
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


def _raw(sql: str, params=()) -> None:
    """Change the tables behind the application's back (as a superuser skipping triggers on PostgreSQL)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")


def _entries(n=4):
    user, org = UserFactory(), OrganisationFactory()
    return [audit.record(action="tests.thing_done", by=user, obj=org, organisation=org, data={"n": i},
                         reason=f"r{i}") for i in range(n)]


def _anchored_chain():
    """Four entries, then the day's anchor (its own entry is the fifth), then two more entries."""
    first = _entries(4)
    row = audit.anchor(date=DAY)
    later = _entries(2)
    return first, row, later


def _verify(*args):
    call_command("verify_audit", *args)


def _set_head(last_hash: str, count: int) -> None:
    _raw("UPDATE marketplace_audithead SET last_hash = %s, count = %s WHERE id = 1", [last_hash, count])


def _recompute_from(entry_id: int) -> None:
    """The attacker's rewrite: recompute every hash from `entry_id` on and move the head to match."""
    prev = AuditEntry.objects.filter(pk__lt=entry_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or audit.GENESIS
    for entry in AuditEntry.objects.filter(pk__gte=entry_id).order_by("id"):
        entry.prev_hash = prev
        new = audit.hash_of(entry)
        _raw("UPDATE marketplace_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, entry.pk])
        prev = new
    _set_head(prev, AuditEntry.objects.count())


def test_every_stored_column_is_hashed_including_actor_repr():
    entries = _entries(3)
    assert all(e.hash_version == audit.HASH_VERSION == 2 for e in entries)
    _raw("UPDATE marketplace_auditentry SET actor_repr = %s WHERE id = %s", ["someone else", entries[1].pk])
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == entries[1].pk
    with pytest.raises(CommandError, match=f"#{entries[1].pk}"):
        _verify()


def test_old_version_1_entries_still_verify_and_a_downgrade_is_caught():
    now = timezone.now()
    prev, rows = audit.GENESIS, []
    for i in range(2):  # entries as written before this change: actor_repr not hashed, version 1
        digest = audit.entry_hash(prev_hash=prev, created_at=now, actor_id=None, organisation_id=None,
                                  action="tests.thing_done", object_type="", object_id="", data={"n": i},
                                  reason="", version=1)
        rows.append(AuditEntry(created_at=now, actor_repr="system", action="tests.thing_done", data={"n": i},
                               prev_hash=prev, hash=digest, hash_version=1))
        prev = digest
    AuditEntry.objects.bulk_create(rows)
    AuditHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": 2})
    new = audit.record(action="tests.thing_done", data={"n": 9})
    assert new.hash_version == 2 and new.prev_hash == prev
    assert audit.verify_chain() is None
    _raw("UPDATE marketplace_auditentry SET hash_version = 1 WHERE id = %s", [new.pk])
    assert audit.verify_chain().entry_id == new.pk


def test_the_daily_job_anchors_the_head_once_and_records_it():
    entries = _entries(3)
    now = timezone.make_aware(dt.datetime(2026, 11, 20, 0, 1))
    assert periodic.run(today=DAY, now=now, only=["marketplace.audit_anchor"]) == {"marketplace.audit_anchor": 1}
    assert periodic.run(today=DAY, now=now, only=["marketplace.audit_anchor"]) == {"marketplace.audit_anchor": 0}
    row = AuditAnchor.objects.get()
    assert (row.entry_id, row.count, row.hash, row.date) == (entries[-1].pk, 3, entries[-1].hash, DAY)
    logged = AuditEntry.objects.get(action="marketplace.audit_anchored")
    assert logged.data == {"entry": entries[-1].pk, "count": 3, "hash": entries[-1].hash, "date": "2026-11-20"}
    assert audit.verify_chain() is None


def test_an_empty_chain_is_not_anchored():
    assert audit.anchor(date=DAY) is None
    assert not AuditAnchor.objects.exists()


def test_anchor_is_a_public_notice_and_a_public_json_endpoint(client, django_capture_on_commit_callbacks):
    from cms.models import NoticePage

    _entries(2)
    with django_capture_on_commit_callbacks(execute=True):
        row = audit.anchor(date=DAY)
    notice = NoticePage.objects.get(source_action="marketplace.audit_anchored")
    assert notice.live and notice.facts["chain_hash"] == row.hash and notice.facts["audit_entry"] == row.entry_id
    assert "2026-11-20" in notice.title
    page = client.get(notice.url)
    assert page.status_code == 200 and row.hash in page.content.decode()
    response = client.get("/api/audit/anchors")
    assert response.status_code == 200
    assert response.json() == {"anchors": [{"date": "2026-11-20", "entry": row.entry_id, "count": 2,
                                            "hash": row.hash}]}


def test_intact_chain_agrees_with_db_and_file_anchors(tmp_path, capsys):
    _anchored_chain()
    _verify("--anchors")
    published = tmp_path / "anchors.json"
    published.write_text(json.dumps({"anchors": anchors.published()}), encoding="utf-8")
    _verify("--anchors", str(published))
    assert "1 anchors agree" in capsys.readouterr().out


def test_tail_deletion_with_the_head_moved_back_is_caught_by_the_anchor(tmp_path):
    first, row, later = _anchored_chain()
    published = tmp_path / "anchors.json"
    published.write_text(json.dumps(anchors.published()), encoding="utf-8")
    keep = first[1]
    _raw("DELETE FROM marketplace_auditentry WHERE id > %s", [keep.pk])
    _set_head(keep.hash, AuditEntry.objects.count())
    assert audit.verify_chain() is None  # the chain alone cannot see it
    with pytest.raises(CommandError, match="missing"):
        _verify("--anchors", str(published))


def test_a_rewritten_and_recomputed_chain_is_caught_by_the_anchor():
    first, row, later = _anchored_chain()
    _raw("UPDATE marketplace_auditentry SET reason = %s WHERE id = %s", ["篡改", first[1].pk])
    _recompute_from(first[1].pk)
    assert audit.verify_chain() is None  # every hash recomputed: the chain alone cannot see it
    with pytest.raises(CommandError, match="differs from the published"):
        _verify("--anchors")


def test_truncation_is_caught_by_published_anchors(tmp_path):
    _anchored_chain()
    published = tmp_path / "anchors.json"
    published.write_text(json.dumps(anchors.published()), encoding="utf-8")
    if connection.vendor == "postgresql":
        _raw("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction holds deferred FK checks
        _raw("TRUNCATE marketplace_auditentry, marketplace_auditanchor, marketplace_audithead")
    else:  # SQLite has no TRUNCATE: the same effect is a DELETE of every row
        _raw("DELETE FROM marketplace_auditentry")
        _raw("DELETE FROM marketplace_auditanchor")
        _raw("DELETE FROM marketplace_audithead")
    assert audit.verify_chain() is None  # an empty chain is consistent in itself
    with pytest.raises(CommandError, match="missing"):
        _verify("--anchors", str(published))


def test_unreadable_anchor_source_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"anchors": [{"hash": 1}]}', encoding="utf-8")
    with pytest.raises(CommandError, match="malformed anchor"):
        _verify("--anchors", str(bad))
    with pytest.raises(CommandError, match="cannot read anchors"):
        _verify("--anchors", str(tmp_path / "absent.json"))


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_the_audit_tables():
    from django.db.utils import DatabaseError

    _anchored_chain()
    before = AuditEntry.objects.count()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction holds deferred FK checks
    for table in ("marketplace_auditentry", "marketplace_audithead", "marketplace_auditanchor"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == before and AuditAnchor.objects.count() == 1
    for sql in ("UPDATE marketplace_auditanchor SET hash = 'x'", "DELETE FROM marketplace_auditanchor"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
