"""The demo's credit is real: every score shown is the one its ledger explains (seeded once for the module)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Blacklist, CreditEvent
from marketplace.policy import current_policy
from projects.models import Project

pytestmark = pytest.mark.django_db

PUBLIC = ("admitted", "suspended", "blacklisted")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo once, inside a transaction rolled back after the module (each test runs in a savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def reports(demo, django_db_blocker):
    """(agency API, credit API) for every public agency, read once through the public endpoints."""
    from django.test import Client

    client = Client()
    with django_db_blocker.unblock():
        out = {}
        for agency in Agency.objects.filter(status__in=PUBLIC).order_by("id"):
            shown = client.get(f"/api/agencies/{agency.uscc}")
            explained = client.get(f"/api/agencies/{agency.uscc}/credit")
            assert shown.status_code == explained.status_code == 200, agency.uscc
            out[agency.uscc] = (agency.status, shown.json(), explained.json())
    return out


def _agency(number: int) -> Agency:
    return Agency.objects.get(organisation__memberships__user__email=f"agency{number}@demo.zjcs.cn")


def test_the_demo_prints_its_logins_and_every_login_works(demo, client):
    assert "agency1@demo.zjcs.cn" in demo and "owner1@demo.zjcs.cn" in demo and "Demo-pass-2026" in demo
    for email in ("owner1@demo.zjcs.cn", "agency1@demo.zjcs.cn", "regulator@demo.zjcs.cn"):
        assert client.login(email=email, password="Demo-pass-2026")


def test_postings_in_each_state_searchable_valid_identifiers_and_a_second_run_adds_nothing(demo):
    from agencies.identifiers import validate_uscc
    from marketplace.models import User
    from marketplace.search import search_agencies

    statuses = set(Project.objects.values_list("status", flat=True))
    assert {"draft", "published", "confirming", "publicity", "contracting", "in_service", "completed", "failed",
            "cancelled"} <= statuses
    surveyors = Agency.objects.filter(status="admitted", services__service_type_id="ZR01").distinct().count()
    assert search_agencies("测绘").total == surveyors
    assert all(validate_uscc(uscc) == uscc for uscc in Agency.objects.values_list("uscc", flat=True))
    counts = (User.objects.count(), Agency.objects.count(), Project.objects.count(), CreditEvent.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Agency.objects.count(), Project.objects.count(),
            CreditEvent.objects.count()) == counts


def test_every_shown_score_and_grade_is_the_one_the_ledger_explains(reports):
    admitted = [u for u, (status, _s, _e) in reports.items() if status == "admitted"]
    assert len(admitted) >= 50
    for uscc, (_status, shown, explained) in reports.items():
        assert (shown["credit_score"], shown["credit_grade"]) == (explained["score"], explained["grade"]), uscc


def test_every_score_is_explained_line_by_line(reports):
    policy = current_policy()
    base, cap = int(policy["credit_base"]), int(policy["credit_bonus_cap"])
    for uscc, (_status, _shown, explained) in reports.items():
        counted = [ln for ln in explained["lines"] if ln["counted"]]
        deducted = -sum(ln["points"] for ln in counted if ln["kind"] == "deduction")
        bonus = sum(ln["points"] for ln in counted if ln["kind"] == "bonus")
        assert all(ln["points"] == 0 for ln in explained["lines"] if not ln["counted"]), uscc
        assert (deducted, bonus) == (explained["deductions"], explained["bonuses"]), uscc
        assert explained["score"] == max(0, base - deducted + min(bonus, cap)), uscc
        forced = any(ln["kind"] == "forcing" for ln in counted)
        assert explained["forced"] == forced, uscc


def test_at_least_fifteen_demo_agencies_have_ledger_lines(reports):
    assert sum(1 for _st, _s, explained in reports.values() if explained["lines"]) >= 15


def test_a_grade_c_a_suspended_d_and_a_blacklisted_for_fraud_agency_exist(reports):
    today = timezone.localdate()
    grades = {(status, explained["grade"]) for status, _s, explained in reports.values()}
    assert ("admitted", "C") in grades
    suspended = [e for st, _s, e in reports.values() if st == "suspended" and e["grade"] == "D"]
    assert suspended and any(s["kind"] == "suspend_d" for e in suspended for s in e["sanctions"])
    fraud = [(u, e) for u, (st, _s, e) in reports.items()
             if st == "blacklisted" and any(ln["code"] == "fraud" and ln["counted"] for ln in e["lines"])]
    assert fraud
    uscc, explained = fraud[0]
    assert explained["grade"] == "D" and explained["forced"]
    assert {"removal", "blacklist"} <= {s["kind"] for s in explained["sanctions"]}
    assert Blacklist.objects.filter(uscc=uscc, starts_on__lte=today, ends_on__gte=today).exists()


def test_the_history_covers_every_rating_level_appeals_overdue_penalty_repair_and_awards(demo):
    from ratings.models import Appeal, Complaint, Rating, RepairApplication

    results = set(Rating.objects.exclude(result="").values_list("result", "automatic"))
    assert {("满意", False), ("基本满意", False), ("不满意", False), ("满意", True)} <= results
    assert Rating.objects.filter(result="").exists()  # one still waiting for its owner
    assert {"upheld", "rejected", "pending"} <= set(Appeal.objects.values_list("status", flat=True))
    assert {"verified", "dismissed"} <= set(Complaint.objects.values_list("status", flat=True))
    assert {"approved", "pending"} <= set(RepairApplication.objects.values_list("status", flat=True))
    lines = set(CreditEvent.objects.values_list("code", "state"))
    assert {("overdue_minor", "counted"), ("overdue_major", "counted"), ("abandon", "counted"),
            ("penalty_general", "repaired"), ("penalty_general", "counted"), ("eval_unsat", "voided"),
            ("eval_basic", "appeal_pending"), ("violation", "counted"), ("complaint", "counted")} <= lines
    assert {"award_county", "award_city", "award_province"} <= {code for code, _state in lines}
    today = timezone.localdate()
    assert not CreditEvent.objects.filter(date__gt=today).exists()


def test_agency1_is_admitted_grade_a_and_eligible_for_the_open_draw(demo):
    from projects import services
    from projects.eligibility import refusal_reasons
    from projects.selectors import agency_facts, legal_reps_registered, requirements_of

    agency = _agency(1)
    assert (agency.status, agency.credit_grade) == ("admitted", "A")
    open_draws = Project.objects.filter(status=Project.Status.PUBLISHED, method=Project.Method.DRAW)
    assert open_draws.count() == 1
    posting = open_draws.get()
    today = timezone.localdate()
    assert refusal_reasons(agency_facts(agency, on=today), requirements_of(posting), on=today,
                           earlier_legal_reps=legal_reps_registered(posting)) == []
    user = agency.organisation.memberships.get().user
    registration = services.register(by=user, project=posting, agency=agency)
    assert registration.agency == agency


def test_verify_credit_finds_no_mismatch_after_the_demo(demo):
    call_command("verify_credit", stdout=io.StringIO())
