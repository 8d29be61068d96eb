import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from marketplace import audit
from marketplace.models import AuditEntry, AuditHead
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params) -> None:
    """Change a row behind the application's back (disabling the append-only trigger on PostgreSQL)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")


def _three_entries():
    user = UserFactory()
    org = OrganisationFactory()
    return [audit.record(action="tests.thing_done", by=user, obj=org, organisation=org,
                         data={"n": i, "amount": "100.50", "名称": "测绘"}, reason=f"原因{i}") for i in range(3)]


def test_record_chains_hashes_and_stores_who_what_why():
    entries = _three_entries()
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[2].actor_id and entries[2].organisation_id and entries[2].reason == "原因2"
    assert entries[2].object_type == "marketplace.organisation"
    head = AuditHead.objects.get(pk=1)
    assert head.last_hash == entries[2].hash and head.count == AuditEntry.objects.count()
    assert audit.verify_chain() is None
    call_command("verify_audit")


def test_verify_audit_names_the_first_changed_entry():
    entries = _three_entries()
    _tamper("UPDATE marketplace_auditentry SET reason = %s WHERE id = %s", ["篡改", entries[1].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"#{entries[1].pk}" in str(exc.value)


def test_verify_audit_catches_changed_data():
    entries = _three_entries()
    _tamper("UPDATE marketplace_auditentry SET data = %s WHERE id = %s", ['{"n": 99}', entries[0].pk])
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == entries[0].pk


def test_verify_audit_catches_a_deleted_entry():
    entries = _three_entries()
    _tamper("DELETE FROM marketplace_auditentry WHERE id = %s", [entries[1].pk])
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == entries[2].pk


def test_verify_audit_catches_a_deleted_last_entry():
    entries = _three_entries()
    _tamper("DELETE FROM marketplace_auditentry WHERE id = %s", [entries[2].pk])
    assert audit.verify_chain() is not None


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete():
    from django.db.utils import DatabaseError

    entry = _three_entries()[0]
    for sql in ("UPDATE marketplace_auditentry SET reason = 'x' WHERE id = %s",
                "DELETE FROM marketplace_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "原因0"


def test_subscribers_run_after_commit_only(django_capture_on_commit_callbacks):
    seen = []
    audit.subscribe("tests.subscribed", lambda entry: seen.append(entry.action))
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="tests.subscribed", data={})
        assert seen == []
    assert seen == ["tests.subscribed"]


def test_failing_subscriber_does_not_break_the_write(django_capture_on_commit_callbacks):
    def boom(entry):
        raise RuntimeError("listener broke")

    audit.subscribe("tests.boom", boom)
    with django_capture_on_commit_callbacks(execute=True):
        entry = audit.record(action="tests.boom", data={})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_history_lists_entries_for_one_object():
    org = OrganisationFactory()
    other = OrganisationFactory()
    audit.record(action="tests.a", obj=org)
    audit.record(action="tests.b", obj=other)
    audit.record(action="tests.c", obj=org)
    assert [e.action for e in audit.history(org)] == ["tests.a", "tests.c"]
