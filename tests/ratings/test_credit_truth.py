"""One source of truth: what an agency row shows (score, grade, forced, rating count and mean) is the projection
of its ledger and ratings, stored only by recomputation; `verify_credit` proves it; the ledger is append-only
(corrections are new lines, refused to everyone but a covering regulator)."""

import datetime as dt
import io
import json
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.formats import date_format

from agencies import credit
from agencies.models import Agency, CreditEvent
from marketplace import audit, workdays
from marketplace.models import AuditEntry, Organisation
from marketplace.policy import default_policy
from ratings import scoring, services
from ratings.models import Rating
from ratings.recompute import STORED_FIELDS, projection, projections, rating_mean, recompute_all
from ratings.selectors import credit_report
from tests.factories import AgencyFactory, AgencyServiceFactory, OrganisationFactory, ProjectFactory, member_of
from tests.ratings.conftest import scoped_regulator

pytestmark = pytest.mark.django_db

UNSAT = (3, 3, 3, 2, 3)
BASIC = (3, 3, 4, 3, 3)
REASON = "交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。"
GROUNDS = "业主未按约定提供完整资料，延误不在我方。"
WHY = "录入有误：该处罚决定已被上级机关撤销。"


@pytest.fixture
def serviced(agency, project):
    """The agency offers a service of the project's department (so a department-scoped regulator covers it)."""
    AgencyServiceFactory._meta.model.objects.get_or_create(
        agency=agency, service_type=project.service_type, defaults={"price_min": 10000, "price_max": 100000,
                                                                    "time_limit_wd": 10})
    return agency


def rate(rating, owner_user, scores, today=None, reason=REASON):
    return services.record_rating(rating=rating, by=owner_user, scores=list(scores), reason=reason, today=today)


def shown(client, agency) -> dict:
    """What the public sees: the agency API and the storefront."""
    api = client.get(f"/api/agencies/{agency.uscc}").json()
    page = client.get(f"/agencies/s/{agency.uscc}/").content.decode()
    return {"api": (api["credit_score"], api["credit_grade"], api["rating_count"], api["rating_mean"]), "page": page}


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_credit", *args, stdout=out)
    return out.getvalue()


# ---- the rating summary ---------------------------------------------------------------------------

def test_a_rating_revoked_on_appeal_leaves_the_storefront_and_the_api_at_once(
        client, rating, owner_user, agency_user, covering_regulator, django_capture_on_commit_callbacks):
    agency = rating.agency
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, UNSAT)
    before = shown(client, agency)
    assert before["api"] == (95, "A", 1, "2.80") and "2.80 / 5（1 次）" in before["page"]
    appeal = services.file_appeal(rating=rating, by=agency_user, reason=GROUNDS)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=True, note="申诉理由成立。")
    after = shown(client, agency)
    assert after["api"] == (100, "A", 0, None) and "暂无评价" in after["page"]
    assert "OK: 1 agencies" in verify()


def test_a_rejected_appeal_keeps_the_rating_and_its_deduction(
        rating, owner_user, agency_user, covering_regulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, BASIC)
        appeal = services.file_appeal(rating=rating, by=agency_user, reason=GROUNDS)
    pending = Agency.objects.get(pk=rating.agency_id)
    assert (pending.credit_score, pending.rating_count, pending.rating_mean) == (100, 1, Decimal("3.20"))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=False, note="申诉理由不成立。")
    agency = Agency.objects.get(pk=rating.agency_id)
    assert (agency.credit_score, agency.rating_count, agency.rating_mean) == (98, 1, Decimal("3.20"))


def test_automatic_ratings_count_without_a_mean_and_the_mean_rounds_half_up(
        owner_user, owner_org, agency, today, django_capture_on_commit_callbacks):
    ratings = [services.open_rating(project=ProjectFactory(owner=owner_org), agency=agency,
                                    accepted_on=today - dt.timedelta(days=1)) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        for r, scores in zip(ratings, [(5, 5, 5, 5, 4), (5, 4, 5, 4, 5), (4, 4, 4, 4, 4), (5, 5, 4, 4, 4)],
                             strict=False):
            rate(r, owner_user, scores)
    # Means 4.80, 4.60, 4.00, 4.40 → 4.45 exactly (half up, not to even).
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue_ratings(today=ratings[4].due_on + dt.timedelta(days=1))
    agency.refresh_from_db()
    assert (agency.rating_count, agency.rating_mean) == (5, Decimal("4.45"))
    assert rating_mean(89, 4) == Decimal("4.45") and rating_mean(0, 0) is None
    assert rating_mean(101, 8) == Decimal("2.53")  # 2.525 → 2.53


def test_a_rating_whose_deduction_is_corrected_no_longer_counts(
        rating, owner_user, serviced, covering_regulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, UNSAT)
    line = CreditEvent.objects.get(agency=serviced, code="eval_unsat")
    with django_capture_on_commit_callbacks(execute=True):
        credit.correct_credit_event(event=line, by=covering_regulator, reason="该评价所涉项目业主已书面撤回评价意见。")
    agency = Agency.objects.get(pk=serviced.pk)
    assert (agency.credit_score, agency.rating_count, agency.rating_mean) == (100, 0, None)


def test_a_verified_complaint_overturned_by_a_correction_gives_the_points_back(
        serviced, project, owner_user, covering_regulator, django_capture_on_commit_callbacks):
    services.open_rating(project=project, agency=serviced, accepted_on=workdays.today())
    complaint = services.file_complaint(agency=serviced, by=owner_user, text="项目负责人多次无故缺席现场踏勘。",
                                        project=project)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_complaint(complaint=complaint, by=covering_regulator, verified=True, response="经调查属实。")
    assert Agency.objects.get(pk=serviced.pk).credit_score == 95
    line = CreditEvent.objects.get(agency=serviced, code="complaint")
    with django_capture_on_commit_callbacks(execute=True):
        credit.correct_credit_event(event=line, by=covering_regulator, reason="复查发现投诉所述情况系业主方原因造成。")
    assert Agency.objects.get(pk=serviced.pk).credit_score == 100
    assert "OK: 1 agencies" in verify()


# ---- the projection is the engine ----------------------------------------------------------------

def _random_world(rng, agencies, owner_org, today):
    codes = list(default_policy()["credit_deductions"]) + list(default_policy()["credit_bonuses"]) + ["fraud"]
    for a in agencies:
        for _n in range(rng.randrange(0, 8)):
            state = rng.choice(["counted"] * 5 + ["appeal_pending", "voided", "repaired"])
            CreditEvent.objects.create(agency=a, code=rng.choice(codes), state=state, cause="随机",
                                       date=today - dt.timedelta(days=rng.randrange(500)))
        for _ in range(rng.randrange(0, 4)):
            scores = [rng.randint(1, 5) for _ in range(5)]
            mean, result = scoring.rating_result(scores, default_policy())
            Rating.objects.create(project=ProjectFactory(owner=owner_org), agency=a, owner=owner_org,
                                  accepted_on=today, due_on=today, result=result, mean=mean, rated_on=today,
                                  **dict(zip(["quality", "timeliness", "attitude", "fee", "conduct"], scores,
                                             strict=True)))


@pytest.mark.parametrize("seed", [4, 5])
def test_the_projection_agrees_with_the_engine_and_the_ratings(seed, owner_org, today):
    rng = random.Random(seed)
    agencies = [AgencyFactory() for _ in range(12)]
    _random_world(rng, agencies, owner_org, today)
    everyone = projections(as_of=today)
    for a in agencies:
        report = credit_report(a, as_of=today)
        one = projection(a.pk, as_of=today)
        assert one == everyone[a.pk]
        assert (one.score, one.grade, one.forced) == (report.score, report.grade, report.forced)
        rated = Rating.objects.filter(agency=a).exclude(result="")
        means = [r.mean for r in rated if r.mean is not None]
        assert one.rating_count == rated.count()
        expected = (sum(means) / len(means)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") if means else None
        assert one.rating_mean == expected


def test_recompute_agency_stores_the_projection(agency, today):
    for code in ("violation", "eval_basic"):
        credit.record_credit_event(agency=agency, code=code, date=today, cause="测试", cause_obj=AgencyFactory())
    result = services.recompute_agency(agency, as_of=today)
    agency.refresh_from_db()
    assert {f: getattr(agency, f) for f in STORED_FIELDS} == result.stored() == {
        "credit_score": 78, "credit_grade": "C", "credit_forced": False, "rating_count": 0, "rating_mean": None}


def test_the_nightly_run_also_repairs_a_drifted_rating_summary(agency, today):
    Agency.objects.filter(pk=agency.pk).update(rating_count=3, rating_mean=Decimal("4.10"))
    recompute_all(as_of=today, sanctions=False)
    agency.refresh_from_db()
    assert (agency.rating_count, agency.rating_mean) == (0, None)


# ---- verify_credit --------------------------------------------------------------------------------

def test_verify_credit_is_clean_after_the_services_and_catches_a_planted_mismatch(
        rating, owner_user, agency_user, covering_regulator, serviced, django_capture_on_commit_callbacks, today):
    other = AgencyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, UNSAT)
        credit.record_credit_event(agency=other, code="violation", date=today, cause="违规", cause_obj=other)
    penalty = credit.record_credit_event(agency=serviced, code="penalty_general", date=today, cause="处罚",
                                         cause_obj=other)
    with django_capture_on_commit_callbacks(execute=True):
        credit.correct_credit_event(event=penalty, by=covering_regulator, reason=WHY)
    assert verify().startswith("OK: 2 agencies")
    # An UPDATE behind the services' back.
    Agency.objects.filter(pk=other.pk).update(credit_score=100, credit_grade="A")
    Agency.objects.filter(pk=serviced.pk).update(rating_mean=Decimal("4.00"))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_credit", stdout=out)
    assert caught.value.returncode == 1 and "3 mismatches" in str(caught.value)
    lines = out.getvalue().splitlines()
    assert f"{other.uscc}\tcredit_score\tstored=100\tcomputed=80" in lines
    assert f"{other.uscc}\tcredit_grade\tstored=A\tcomputed=B" in lines
    assert f"{serviced.uscc}\trating_mean\tstored=4.00\tcomputed=2.80" in lines
    # The nightly recomputation puts both back.
    recompute_all(as_of=today, sanctions=False)
    assert verify().startswith("OK: 2 agencies")


def test_verify_credit_as_of_a_date_and_a_bad_date(agency, today):
    credit.record_credit_event(agency=agency, code="violation", date=today - dt.timedelta(days=400), cause="旧")
    recompute_all(as_of=today - dt.timedelta(days=100), sanctions=False)
    assert verify("--as-of", (today - dt.timedelta(days=100)).isoformat()).startswith("OK: 1 agencies")
    with pytest.raises(CommandError, match="2 mismatches"):
        verify("--as-of", today.isoformat())  # the line has aged out since: the stored score and grade are stale
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD"):
        verify("--as-of", "2026-13-40")


# ---- corrections: the ledger is append-only ----------------------------------------------------

@pytest.fixture
def penalty(serviced, today):
    return credit.record_credit_event(agency=serviced, code="penalty_general", date=today, cause="行政处罚决定书",
                                      cause_obj=serviced)


def test_a_correction_is_a_new_line_that_voids_the_old_one_audited_and_recomputed(
        penalty, covering_regulator, today, django_capture_on_commit_callbacks):
    services.recompute_agency(penalty.agency, as_of=today)
    assert Agency.objects.get(pk=penalty.agency_id).credit_score == 90
    with django_capture_on_commit_callbacks(execute=True):
        correction = credit.correct_credit_event(event=penalty, by=covering_regulator, reason=WHY)
    penalty.refresh_from_db()
    assert (penalty.state, correction.state, correction.corrects_id, correction.created_by) == (
        "voided", "correction", penalty.pk, covering_regulator)
    assert (correction.code, correction.cause, correction.agency_id) == ("penalty_general", WHY, penalty.agency_id)
    assert Agency.objects.get(pk=penalty.agency_id).credit_score == 100
    entry = AuditEntry.objects.get(action="agencies.credit_event_corrected")
    assert entry.actor == covering_regulator and entry.reason == WHY
    assert entry.data == {"agency": penalty.agency_id, "uscc": penalty.agency.uscc, "event": penalty.pk,
                          "code": "penalty_general", "date": today.isoformat(), "previous_state": "counted"}
    assert audit.verify_chain() is None
    # Both lines stay; the explanation shows both.
    lines = credit_report(penalty.agency, as_of=today).lines
    assert sorted(ln.state for ln in lines) == ["correction", "voided"]
    assert not any(ln.counted for ln in lines)


def test_a_correction_is_refused_to_everyone_but_a_covering_regulator(
        penalty, project, agency_user, owner_user, operator_user, other_region_regulator, other_department_regulator):
    for user in (agency_user, owner_user, operator_user, other_region_regulator, other_department_regulator):
        with pytest.raises(PermissionDenied):
            credit.correct_credit_event(event=penalty, by=user, reason=WHY)
    with pytest.raises(ValidationError, match="needs a regulator"):
        credit.correct_credit_event(event=penalty, by=None, reason=WHY)
    assert CreditEvent.objects.get(pk=penalty.pk).state == "counted"
    assert CreditEvent.objects.count() == 1 and not AuditEntry.objects.filter(
        action="agencies.credit_event_corrected").exists()


def test_a_correction_needs_a_reason_and_a_line_that_counts(
        penalty, covering_regulator, rating, owner_user, agency_user):
    with pytest.raises(ValidationError, match="at least 10 characters"):
        credit.correct_credit_event(event=penalty, by=covering_regulator, reason="有误")
    assert CreditEvent.objects.get(pk=penalty.pk).state == "counted"
    correction = credit.correct_credit_event(event=penalty, by=covering_regulator, reason=WHY)
    for line in (penalty, correction):
        with pytest.raises(ValidationError, match="only a counted or repaired line can be corrected"):
            credit.correct_credit_event(event=line, by=covering_regulator, reason=WHY)
    rate(rating, owner_user, UNSAT)
    services.file_appeal(rating=rating, by=agency_user, reason=GROUNDS)
    pending = CreditEvent.objects.get(code="eval_unsat")
    with pytest.raises(ValidationError, match="申诉中，不能更正"):
        credit.correct_credit_event(event=pending, by=covering_regulator, reason=WHY)
    # A corrected line is final: no later decision brings it back.
    with pytest.raises(ValidationError, match="corrected and is final"):
        credit.set_event_state(event=CreditEvent.objects.get(pk=penalty.pk), state="counted")
    with pytest.raises(ValidationError, match="unknown credit event state"):
        credit.set_event_state(event=pending, state="correction")
    with pytest.raises(ValidationError, match="correct_credit_event"):
        credit.record_credit_event(agency=penalty.agency, code="violation", date=penalty.date, cause="x",
                                   state="correction")


def test_the_credit_page_and_api_show_both_lines(client, penalty, covering_regulator, today):
    covering_regulator.name = "王监管"
    covering_regulator.save(update_fields=["name"])
    correction = credit.correct_credit_event(event=penalty, by=covering_regulator, reason=WHY)
    body = client.get(f"/credit/agencies/{penalty.agency.uscc}/").content.decode()
    assert f'id="line-{penalty.pk}" class="muted corrected"' in body
    assert "<del>行政处罚</del>" in body and f"王监管 于 {date_format(today)} 更正撤销：{WHY}" in body
    assert f"（记录 {penalty.pk}），由 王监管 录入" in body
    assert "penalty_general" not in body  # labels, not codes
    lines = {ln["id"]: ln for ln in client.get(f"/api/agencies/{penalty.agency.uscc}/credit").json()["lines"]}
    assert lines[penalty.pk]["corrected"] == {"by_line": correction.pk, "date": today.isoformat(), "reason": WHY,
                                              "by": "王监管"}
    assert lines[correction.pk]["corrects"] == penalty.pk and lines[correction.pk]["corrected"] is None


def test_correction_view_for_the_covering_regulator_only(
        client, penalty, covering_regulator, agency_user, owner_user, operator_user, other_region_regulator,
        other_department_regulator, django_capture_on_commit_callbacks):
    url = f"/credit/regulator/ledger/{penalty.pk}/correct/"
    ledger = f"/credit/regulator/agencies/{penalty.agency.uscc}/"
    assert client.post(url, {"reason": WHY}).status_code == 403  # anonymous
    for user in (agency_user, owner_user, operator_user, other_region_regulator, other_department_regulator):
        client.force_login(user)
        assert client.post(url, {"reason": WHY}).status_code == 403
    assert CreditEvent.objects.get(pk=penalty.pk).state == "counted"
    client.force_login(other_department_regulator)  # the agency is outside its department: no ledger (finding 7)
    assert client.get(ledger).status_code == 403
    client.force_login(covering_regulator)
    assert client.get(url).status_code == 405
    assert f'action="/credit/regulator/ledger/{penalty.pk}/correct/"' in client.get(ledger).content.decode()
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    response = client.post(url, {"reason": "有误"}, follow=True)
    assert "at least 10 characters" in response.content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert CreditEvent.objects.get(pk=penalty.pk).state == "counted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": WHY})
    assert response.status_code == 302 and response["Location"] == ledger
    assert CreditEvent.objects.get(pk=penalty.pk).state == "voided"
    body = client.get(ledger).content.decode()
    assert "<del>行政处罚</del>" in body and WHY in body and f'action="/credit/regulator/ledger/{penalty.pk}/' not in body


def test_correction_api_for_the_covering_regulator_only(
        client, penalty, covering_regulator, agency_user, owner_user, operator_user, other_region_regulator,
        other_department_regulator):
    url = f"/api/ratings/ledger/{penalty.pk}/correct"

    def post(reason=WHY):
        return client.post(url, data=json.dumps({"reason": reason}), content_type="application/json")

    assert post().status_code == 401
    for user in (agency_user, owner_user, operator_user, other_region_regulator, other_department_regulator):
        client.force_login(user)
        assert post().status_code == 403
    client.force_login(covering_regulator)
    response = post("有误")
    assert response.status_code == 400 and "at least 10 characters" in response.json()["detail"]
    response = post()
    assert response.status_code == 200
    assert response.json() == {"id": CreditEvent.objects.get(state="correction").pk, "corrects": penalty.pk,
                               "state": "correction"}
    assert post().status_code == 400


def test_a_regulator_of_a_parent_region_without_department_scope_may_correct(penalty):
    province = scoped_regulator(regions=["330000"])
    credit.correct_credit_event(event=penalty, by=province, reason=WHY)
    assert CreditEvent.objects.get(pk=penalty.pk).state == "voided"


def test_the_django_admin_shows_the_ledger_read_only(client, penalty):
    admin = member_of(OrganisationFactory(kind=Organisation.Kind.OPERATOR), is_superuser=True, is_staff=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    base = "/django-admin/agencies/creditevent/"
    assert client.get(base).status_code == 200
    page = client.get(f"{base}{penalty.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"{base}{penalty.pk}/change/", {"state": "voided", "agency": penalty.agency_id}).status_code \
        == 403
    assert client.post(f"{base}{penalty.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    response = client.post(base, {"action": "delete_selected", "_selected_action": [penalty.pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert CreditEvent.objects.get(pk=penalty.pk).state == "counted"


@pytest.mark.postgres
def test_postgres_refuses_editing_or_deleting_a_ledger_line(penalty):
    from django.db import DatabaseError, transaction

    CreditEvent.objects.filter(pk=penalty.pk).update(state="voided")  # the state may move
    for attempt in (lambda: CreditEvent.objects.filter(pk=penalty.pk).update(cause="改写"),
                    lambda: CreditEvent.objects.filter(pk=penalty.pk).update(code="violation"),
                    lambda: CreditEvent.objects.filter(pk=penalty.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert CreditEvent.objects.get(pk=penalty.pk).cause == "行政处罚决定书"
