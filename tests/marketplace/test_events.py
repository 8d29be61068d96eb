"""The event contract: every audit action is declared with its payload, and the chain has one writer."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from marketplace import audit, events
from marketplace.models import AuditEntry, AuditHead
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ["marketplace", "agencies", "projects", "ratings", "oversight", "cms"]


def production_files():
    for top in PRODUCTION:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_an_undeclared_action_is_refused_and_nothing_is_written():
    before = AuditEntry.objects.count()
    with pytest.raises(events.UndeclaredEvent, match="tests.never_declared"):
        audit.record(action="tests.never_declared", data={})
    assert AuditEntry.objects.count() == before


def test_a_payload_missing_a_declared_field_is_refused():
    org = OrganisationFactory()
    with pytest.raises(events.InvalidPayload, match="missing declared field 'role'"):
        audit.record(action="marketplace.member_added", obj=org, data={"user": "a@example.cn"})
    assert not AuditEntry.objects.filter(action="marketplace.member_added", object_id=str(org.pk)).exists()


def test_a_field_of_the_wrong_type_is_refused():
    with pytest.raises(events.InvalidPayload, match="'version' must be int"):
        audit.record(action="marketplace.policy_adopted", data={"version": "7"})
    with pytest.raises(events.InvalidPayload, match="got a bool"):
        audit.record(action="marketplace.policy_adopted", data={"version": True})


def test_optional_fields_may_be_absent_or_null_and_extra_keys_are_kept():
    entry = audit.record(action="marketplace.organisation_created",
                         data={"kind": "owner", "name": "平湖市自然资源局", "uscc": None, "note": "x"})
    assert entry.data == {"kind": "owner", "name": "平湖市自然资源局", "uscc": None, "note": "x"}


def test_declaring_twice_or_without_a_namespace_is_an_error():
    with pytest.raises(ValueError, match="twice"):
        events.declare("marketplace.policy_adopted", "again", version=int)
    with pytest.raises(ValueError, match="namespaced"):
        events.declare("policy_adopted", "bare")


def test_subscribing_to_an_undeclared_action_is_refused():
    with pytest.raises(events.UndeclaredEvent):
        audit.subscribe("tests.nobody_records_this", lambda entry: None)


def test_every_action_recorded_in_the_code_is_declared():
    """Every literal `action="app.x"` passed to the audit writer names a declared event."""
    pattern = re.compile(r'action="((?:marketplace|agencies|projects|ratings|cms)\.[a-z_]+)"')
    declared = events.declared()
    missing = sorted({(m, str(path.relative_to(ROOT))) for path in production_files()
                      for m in pattern.findall(path.read_text()) if m not in declared})
    assert missing == []


def test_every_declared_action_is_documented_and_namespaced_by_its_app():
    for action, event in events.declared().items():
        if action.startswith("tests."):
            continue
        assert event.doc.strip(), action
        assert action.split(".")[0] in PRODUCTION, action


def test_record_many_chains_like_record_and_dispatches_each_entry(django_capture_on_commit_callbacks):
    user, org = UserFactory(), OrganisationFactory()
    first = audit.record(action="tests.thing_done", by=user, obj=org, data={"n": 0})
    seen = []
    audit.subscribe("tests.subscribed", lambda entry: seen.append(entry.data["n"]))
    now = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        n = audit.record_many(
            [{"action": "tests.subscribed", "by": user, "obj": org, "organisation": org, "data": {"n": i},
              "reason": f"批量{i}"} for i in range(1, 4)]
            + [{"action": "tests.thing_done", "object_type": "marketplace.organisation", "object_id": org.pk,
                "data": {"n": 4, "amount": Decimal("1.50")}}], now=now)
    assert n == 4 and seen == [1, 2, 3]
    rows = list(AuditEntry.objects.filter(pk__gt=first.pk).order_by("pk"))
    assert rows[0].prev_hash == first.hash and [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert rows[2].reason == "批量3" and rows[3].data == {"n": 4, "amount": "1.50"}
    assert rows[3].object_id == str(org.pk) and rows[3].actor_repr == "system"
    head = AuditHead.objects.get(pk=1)
    assert head.last_hash == rows[-1].hash and head.count == AuditEntry.objects.count()
    assert audit.verify_chain() is None


def test_record_many_validates_every_entry_before_writing_any():
    before = AuditEntry.objects.count()
    with pytest.raises(events.InvalidPayload), transaction.atomic():
        audit.record_many([{"action": "tests.thing_done", "data": {"n": 1}},
                           {"action": "marketplace.policy_adopted", "data": {}}])
    assert AuditEntry.objects.count() == before


def test_record_many_of_nothing_writes_nothing():
    assert audit.record_many([]) == 0


def test_only_the_audit_module_locks_the_chain_head_or_hashes_entries():
    offenders = []
    for path in production_files():
        rel = str(path.relative_to(ROOT))
        if rel in ("marketplace/audit.py", "marketplace/models/audit.py", "marketplace/models/__init__.py"):
            continue
        text = path.read_text()
        for needle in ("AuditHead", "entry_hash(", "hashlib.sha256(canonical_json", "audit._"):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
    assert offenders == []
