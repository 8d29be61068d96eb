"""Set-based recomputation agrees with the pure engine; credit_simulate reproduces the worked example of docs/rules.md §9."""

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency, CreditEvent
from marketplace import audit
from marketplace.models import AuditEntry
from marketplace.policy import Policy, default_policy
from ratings import scoring
from ratings.models import GradeChange
from ratings.recompute import recompute_all
from ratings.selectors import ledger_events
from tests.factories import AgencyFactory

AS_OF = dt.date(2025, 12, 31)
CODES = ["eval_basic", "eval_unsat", "overdue_minor", "overdue_major", "complaint", "abandon", "violation",
         "penalty_general", "award_county", "award_city", "award_province", "award_national", "fraud",
         "serious_dishonesty"]


def _random_ledger(rng, agencies):
    rows = []
    for a in agencies:
        for _ in range(rng.randrange(0, 9)):
            code = rng.choice(CODES[:12] * 6 + CODES[12:])  # forcing codes rarer
            date = dt.date(2024, 10, 1) + dt.timedelta(days=rng.randrange(500))
            state = rng.choice(["counted"] * 5 + ["appeal_pending", "voided", "repaired"])
            rows.append(CreditEvent(agency=a, code=code, date=date, state=state, cause="随机"))
    CreditEvent.objects.bulk_create(rows)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_agrees_with_pure_engine(seed):
    rng = random.Random(seed)
    agencies = [AgencyFactory() for _ in range(25)]
    _random_ledger(rng, agencies)
    policy = default_policy() if seed != 3 else Policy(version=9, values={
        **default_policy().as_dict(), "credit_window_months": 6, "credit_bonus_cap": 4,
        "credit_grades": {"A": 95, "B": 85, "C": 65}})
    changes = recompute_all(as_of=AS_OF, policy=policy, sanctions=False)
    assert changes  # a random ledger changes someone
    for a in Agency.objects.filter(pk__in=[x.pk for x in agencies]):
        expected = scoring.score(ledger_events(a.pk), as_of=AS_OF, policy=policy)
        assert (a.credit_score, a.credit_grade, a.credit_forced) == (expected.score, expected.grade, expected.forced)
        assert a.credit_policy_version == policy.version
    # One chained audit entry per changed agency; the chain still verifies.
    assert AuditEntry.objects.filter(action="agencies.credit_updated").count() == len(changes)
    assert audit.verify_chain() is None
    assert GradeChange.objects.count() == sum(1 for c in changes if c.grade != c.old_grade)
    # A second run changes nothing.
    assert recompute_all(as_of=AS_OF, policy=policy, sanctions=False) == []


@pytest.mark.django_db
def test_nightly_command_ages_events_out():
    a = AgencyFactory()
    CreditEvent.objects.create(agency=a, code="violation", date=dt.date(2025, 1, 15), cause="违规")
    out = io.StringIO()
    call_command("recompute_credit", "--as-of", "2025-12-31", stdout=out)
    a.refresh_from_db()
    assert (a.credit_score, a.credit_grade) == (80, "B")
    call_command("recompute_credit", "--as-of", "2026-01-15", stdout=out)
    a.refresh_from_db()
    assert (a.credit_score, a.credit_grade) == (100, "A")
    assert "changed=1" in out.getvalue()


# ---- credit_simulate ------------------------------------------------------------------------

EXAMPLES = [
    ("91330482MA2B00001G", [("eval_basic", "2025-03-10"), ("eval_unsat", "2025-05-06"), ("overdue_minor", "2025-07-01"),
                            ("overdue_major", "2025-11-20")], {"score": 86, "grade": "B", "forced": False}),
    ("91330400MA28000010", [("abandon", "2025-06-01")], {"score": 90, "grade": "A", "forced": False}),
    ("91330482MA2C000013", [("violation", "2025-06-01")], {"score": 80, "grade": "B", "forced": False}),
    ("91330481MA2D000017", [("violation", "2025-06-01"), ("violation", "2025-07-01")],
     {"score": 60, "grade": "C", "forced": False}),
    ("91330482MA2E000018", [("violation", "2025-06-01"), ("violation", "2025-07-01"), ("eval_basic", "2025-08-01"),
                            ("award_county", "2025-09-01")], {"score": 59, "grade": "D", "forced": False}),
]


def _write_events(tmp_path, extra=()):
    rows = [{"agency": u, "code": c, "date": d} for u, evs, _ in EXAMPLES for c, d in evs] + list(extra)
    path = tmp_path / "events.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def _simulate(*args):
    out = io.StringIO()
    call_command("credit_simulate", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_credit_simulate_examples(tmp_path):
    result = _simulate(str(_write_events(tmp_path)), "--as-of", "2025-12-31")
    assert result == {u: expected for u, _evs, expected in EXAMPLES}


@pytest.mark.django_db
def test_credit_simulate_states_and_forcing(tmp_path):
    extra = [{"agency": "X1", "code": "violation", "date": "2025-06-01", "state": "appeal_pending"},
             {"agency": "X1", "code": "penalty_general", "date": "2025-06-01", "state": "repaired"},
             {"agency": "X1", "code": "eval_unsat", "date": "2025-06-01", "state": "voided"},
             {"agency": "X2", "code": "serious_dishonesty", "date": "2025-06-01"}]
    result = _simulate(str(_write_events(tmp_path, extra)), "--as-of", "2025-12-31")
    assert result["X1"] == {"score": 100, "grade": "A", "forced": False}
    assert result["X2"] == {"score": 100, "grade": "D", "forced": True}


@pytest.mark.django_db
def test_credit_simulate_with_policy(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"credit_deductions": {**default_policy()["credit_deductions"], "violation": 15}}))
    result = _simulate(str(_write_events(tmp_path)), "--as-of", "2025-12-31", "--policy", str(policy))
    assert result["91330482MA2C000013"] == {"score": 85, "grade": "B", "forced": False}
    assert result["91330481MA2D000017"]["score"] == 70


@pytest.mark.django_db
def test_credit_simulate_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"agency": "X", "code": "nope", "date": "2025-01-01"}]))
    with pytest.raises(CommandError, match="unknown credit event code"):
        _simulate(str(bad), "--as-of", "2025-12-31")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _simulate(str(bad), "--as-of", "31/12/2025")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"credit_window": 3}))
    with pytest.raises(CommandError, match="unknown policy keys"):
        _simulate(str(_write_events(tmp_path)), "--as-of", "2025-12-31", "--policy", str(policy))
