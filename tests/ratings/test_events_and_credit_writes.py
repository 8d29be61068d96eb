"""Declared events of agencies and ratings; the agency's credit is written only by agencies functions."""

import datetime as dt
import re
from pathlib import Path

import pytest

from agencies import credit
from agencies.models import CreditEvent
from marketplace import audit, events
from marketplace.models import AuditEntry
from marketplace.policy import default_policy
from ratings.recompute import recompute_all
from tests.factories import AgencyFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("agencies", "ratings")
ACTION_LITERAL = re.compile(r"""(?:action=|"action":\s*)"((?:agencies|ratings)\.[a-z_]+)\"""")
CONSTANT_USE = re.compile(r"\bevents\.([A-Z_]+)\.action|\b([A-Z_]+)\.action\b")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.name != "events.py" and "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def test_every_recorded_action_is_declared_and_every_declaration_is_recorded():
    from agencies import events as agency_events
    from ratings import events as rating_events

    declared = {e.action: name for module in (agency_events, rating_events)
                for name, e in vars(module).items() if isinstance(e, events.Event)}
    used: set[str] = set()
    for path, text in _sources():
        for action in ACTION_LITERAL.findall(text):
            assert action in declared, f"{path.name} records undeclared {action}"
            used.add(action)
        for groups in CONSTANT_USE.findall(text):
            used.update(a for a, n in declared.items() if n in groups)
    assert set(declared) == used


def test_ratings_writes_agency_rows_only_through_agencies_functions():
    forbidden = re.compile(r"Blacklist\.objects\.(create|filter\(.*\)\.update)|UPDATE\s+agencies_|"
                           r"update_fields=\[[^\]]*(credit_|rating_count|rating_mean|\"state\")|AuditHead")
    for path in sorted((ROOT / "ratings").rglob("*.py")):
        assert not forbidden.search(path.read_text(encoding="utf-8")), f"{path.name} writes agencies' tables"


@pytest.mark.django_db
def test_credit_event_payload_holds_the_agency_pk_and_its_uscc():
    agency = AgencyFactory()
    credit.record_credit_event(agency=agency, code="violation", date=dt.date(2025, 6, 1), cause="违规")
    entry = AuditEntry.objects.get(action="agencies.credit_event_recorded")
    assert entry.data["agency"] == agency.pk and entry.data["uscc"] == agency.uscc
    events.validate("agencies.credit_event_recorded", entry.data)


@pytest.mark.django_db
def test_store_credit_audits_only_a_change():
    agency = AgencyFactory()
    kwargs = {"score": 100, "grade": "A", "forced": False, "policy_version": 1, "as_of": dt.date(2025, 6, 1)}
    assert credit.store_credit(agency=agency, **kwargs)  # the version was unset
    assert not credit.store_credit(agency=agency, **kwargs)
    assert credit.store_credit(agency=agency, **{**kwargs, "score": 80, "grade": "B"})
    entries = list(AuditEntry.objects.filter(action="agencies.credit_updated").order_by("pk"))
    assert [e.data["grade"] for e in entries] == ["A", "B"]
    assert entries[-1].data == {"as_of": "2025-06-01", "forced": False, "grade": "B", "previous": "A",
                                "policy_version": 1, "score": 80}


@pytest.mark.django_db
def test_nightly_recompute_appends_one_declared_entry_per_change_through_record_many():
    a, b = AgencyFactory(), AgencyFactory()
    CreditEvent.objects.create(agency=a, code="violation", date=dt.date(2025, 6, 1), cause="违规")
    policy = default_policy()
    changes = recompute_all(as_of=dt.date(2025, 12, 31), policy=policy, sanctions=False)
    assert {c.agency_id for c in changes} == {a.pk, b.pk}  # b: first computation under this policy
    entries = {e.object_id: e for e in AuditEntry.objects.filter(action="agencies.credit_updated")}
    assert set(entries) == {str(a.pk), str(b.pk)}
    entry = entries[str(a.pk)]
    assert (entry.object_type, entry.organisation_id) == ("agencies.agency", a.organisation_id)
    assert entry.data == {"as_of": "2025-12-31", "forced": False, "grade": "B", "previous": "",
                          "policy_version": policy.version, "score": 80}  # never computed before: no previous grade
    run = AuditEntry.objects.get(action="ratings.credit_recomputed")
    assert run.data["changed"] == 2
    assert audit.verify_chain() is None


@pytest.mark.django_db
def test_nightly_recompute_can_skip_the_per_agency_entries():
    AgencyFactory()
    changes = recompute_all(as_of=dt.date(2025, 12, 31), policy=default_policy(), sanctions=False,
                            audit_changes=False)
    assert changes and not AuditEntry.objects.filter(action="agencies.credit_updated").exists()
