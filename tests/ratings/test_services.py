"""Ratings, appeals, complaints, repair, recomputation and sanctions through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.credit import record_credit_event
from agencies.models import Agency, Blacklist, CreditEvent
from marketplace import audit, workdays
from marketplace.models import AuditEntry
from ratings import services
from ratings.models import Appeal, Complaint, GradeChange, Rating, Sanction
from tests.factories import AgencyFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db

REASON = "交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。"


def rate(rating, user, scores, reason="", **kw):
    keys = ["quality", "timeliness", "attitude", "fee", "conduct"]
    return services.record_rating(rating=rating, by=user, scores=dict(zip(keys, scores, strict=True)), reason=reason,
                                  **kw)


def test_rating_opens_on_deliverable_accepted_event(project, agency, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="projects.deliverable_accepted", obj=project,
                     data={"project": project.pk, "agency": agency.pk, "accepted_on": "2025-09-26"})
    r = Rating.objects.get(project=project, agency=agency)
    assert r.owner_id == project.owner_id
    assert r.due_on == dt.date(2025, 10, 16)  # 10 working days after Fri 2025-09-26 (docs/rules.md §8)
    assert r.result == ""


@pytest.mark.parametrize(("scores", "mean", "result", "code"), [
    ((5, 4, 5, 4, 5), "4.60", "满意", None),
    ((4, 4, 4, 4, 4), "4.00", "满意", None),
    ((3, 3, 4, 3, 3), "3.20", "基本满意", "eval_basic"),
    ((3, 3, 3, 2, 3), "2.80", "不满意", "eval_unsat"),
])
def test_rating_form_examples(rating, owner_user, scores, mean, result, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, scores, reason=REASON if result == "不满意" else "")
    rating.refresh_from_db()
    assert (str(rating.mean), rating.result, rating.automatic) == (mean, result, False)
    events = list(CreditEvent.objects.filter(agency=rating.agency))
    assert [e.code for e in events] == ([code] if code else [])
    agency = Agency.objects.get(pk=rating.agency_id)
    expected = {None: 100, "eval_basic": 98, "eval_unsat": 95}[code]
    assert agency.credit_score == expected
    entry = AuditEntry.objects.filter(action="ratings.rating_recorded").last()
    assert entry.data["result"] == result and entry.actor_id == owner_user.pk


@pytest.mark.parametrize("reason", ["", "太差了", "x" * 19, "   " + "y" * 19 + "   "])
def test_unsatisfied_needs_20_char_reason(rating, owner_user, reason):
    with pytest.raises(ValidationError, match="at least 20 characters"):
        rate(rating, owner_user, (3, 3, 3, 2, 3), reason=reason)
    rating.refresh_from_db()
    assert rating.result == "" and not CreditEvent.objects.exists()


def test_only_contracted_owner_can_rate(rating, other_owner_user, agency_user, regulator_user, plain_user):
    for user in (other_owner_user, agency_user, regulator_user, plain_user):
        with pytest.raises(PermissionDenied):
            rate(rating, user, (5, 5, 5, 5, 5))
    rating.refresh_from_db()
    assert rating.result == ""


def test_only_once(rating, owner_user):
    rate(rating, owner_user, (5, 5, 5, 5, 5))
    with pytest.raises(ValidationError, match="already been rated"):
        rate(rating, owner_user, (3, 3, 4, 3, 3))
    assert Rating.objects.get(pk=rating.pk).result == "满意"


def test_only_in_window(rating, owner_user):
    with pytest.raises(ValidationError, match="deadline"):
        rate(rating, owner_user, (5, 5, 5, 5, 5), today=rating.due_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before acceptance"):
        rate(rating, owner_user, (5, 5, 5, 5, 5), today=rating.accepted_on - dt.timedelta(days=1))
    rate(rating, owner_user, (5, 5, 5, 5, 5), today=rating.due_on)  # the deadline day itself is in


def test_bad_scores_refused(rating, owner_user):
    with pytest.raises(ValidationError, match="1 to 5"):
        rate(rating, owner_user, (6, 5, 5, 5, 5))
    with pytest.raises(ValidationError, match="required"):
        services.record_rating(rating=rating, by=owner_user, scores={"quality": 5})


def test_sweep_records_automatic_satisfied_without_deduction(rating):
    assert services.sweep_overdue_ratings(today=rating.due_on) == 0
    assert services.sweep_overdue_ratings(today=rating.due_on + dt.timedelta(days=1)) == 1
    rating.refresh_from_db()
    assert (rating.result, rating.automatic, rating.mean) == ("满意", True, None)
    assert not CreditEvent.objects.exists()
    assert services.sweep_overdue_ratings(today=rating.due_on + dt.timedelta(days=5)) == 0


# ---- appeals ----------------------------------------------------------------------------------

@pytest.fixture
def unsat(rating, owner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(rating, owner_user, (3, 3, 3, 2, 3), reason=REASON)
    return Rating.objects.get(pk=rating.pk)


def test_appeal_pending_then_rejected_counts_from_original_date(unsat, agency_user, covering_regulator,
                                                                django_capture_on_commit_callbacks):
    event = CreditEvent.objects.get(agency=unsat.agency)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.file_appeal(rating=unsat, by=agency_user, reason="业主未按约定提供完整资料，延误不在我方。")
    event.refresh_from_db()
    assert event.state == "appeal_pending"
    assert Agency.objects.get(pk=unsat.agency_id).credit_score == 100
    assert appeal.decide_by == workdays.add_working_days(appeal.filed_on, 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=False, note="经核查评价属实。")
    event.refresh_from_db()
    assert (event.state, event.date) == ("counted", unsat.rated_on)
    assert Agency.objects.get(pk=unsat.agency_id).credit_score == 95


def test_appeal_upheld_voids(unsat, agency_user, covering_regulator, django_capture_on_commit_callbacks):
    appeal = services.file_appeal(rating=unsat, by=agency_user, reason="业主未按约定提供完整资料，延误不在我方。")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=True, note="申诉理由成立。")
    assert CreditEvent.objects.get(agency=unsat.agency).state == "voided"
    assert Agency.objects.get(pk=unsat.agency_id).credit_score == 100
    with pytest.raises(ValidationError, match="already been decided"):
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=False, note="再次处理")


def test_appeal_guards(unsat, agency_user, owner_user, rating):
    with pytest.raises(PermissionDenied):
        services.file_appeal(rating=unsat, by=owner_user, reason="我方不同意该评价结果的理由如下")
    late = workdays.add_working_days(unsat.rated_on, 5) + dt.timedelta(days=1)
    while not workdays.is_working_day(late):
        late += dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="appeal deadline"):
        services.file_appeal(rating=unsat, by=agency_user, reason="我方不同意该评价结果的理由如下", today=late)
    with pytest.raises(ValidationError, match="at least 10"):
        services.file_appeal(rating=unsat, by=agency_user, reason="不服")
    services.file_appeal(rating=unsat, by=agency_user, reason="我方不同意该评价结果的理由如下")
    with pytest.raises(ValidationError, match="already been appealed"):
        services.file_appeal(rating=unsat, by=agency_user, reason="我方不同意该评价结果的理由如下")


def test_satisfied_rating_cannot_be_appealed(rating, owner_user, agency_user):
    rate(rating, owner_user, (5, 5, 5, 5, 5))
    with pytest.raises(ValidationError, match="only 基本满意 or 不满意"):
        services.file_appeal(rating=Rating.objects.get(pk=rating.pk), by=agency_user, reason="我方不同意该评价结果的理由如下")


def test_regulator_outside_scope_cannot_decide_appeal(unsat, agency_user, other_region_regulator,
                                                      other_department_regulator, owner_user, operator_user):
    appeal = services.file_appeal(rating=unsat, by=agency_user, reason="我方不同意该评价结果的理由如下")
    for user in (other_region_regulator, other_department_regulator, owner_user, agency_user, operator_user):
        with pytest.raises(PermissionDenied):
            services.decide_appeal(appeal=appeal, by=user, upheld=True, note="越权处理")
    assert Appeal.objects.get(pk=appeal.pk).status == "pending"


# ---- complaints -------------------------------------------------------------------------------

def test_complaint_routed_and_verified_becomes_event(agency, project, owner_user, covering_regulator,
                                                     other_region_regulator, django_capture_on_commit_callbacks):
    services.open_rating(project=project, agency=agency, accepted_on=workdays.today())
    c = services.file_complaint(agency=agency, by=owner_user, text="项目负责人多次无故缺席现场踏勘。", project=project)
    regulator_org = covering_regulator.memberships.get().organisation
    assert (c.source, c.regulator_id) == ("owner", regulator_org.pk)
    assert c.respond_by == workdays.add_working_days(c.filed_on, 10)
    with pytest.raises(PermissionDenied):
        services.decide_complaint(complaint=c, by=other_region_regulator, verified=True, response="越权")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_complaint(complaint=c, by=covering_regulator, verified=True, response="经调查属实。")
    event = CreditEvent.objects.get(agency=agency)
    assert (event.code, event.cause_type, event.cause_id) == ("complaint", "ratings.complaint", str(c.pk))
    assert Agency.objects.get(pk=agency.pk).credit_score == 95


def test_complaint_sources_and_guards(agency, agency_user, plain_user, other_department_regulator,
                                      covering_regulator):
    other_agency_user = member_of(AgencyFactory().organisation)
    c1 = services.file_complaint(agency=agency, by=plain_user, text="网站公示的业绩与实际情况不符。")
    c2 = services.file_complaint(agency=agency, by=other_agency_user, text="该机构以低于成本价恶意竞争。")
    assert (c1.source, c2.source) == ("public", "agency")
    with pytest.raises(PermissionDenied):
        services.file_complaint(agency=agency, by=agency_user, text="投诉自己的机构是不允许的。")
    with pytest.raises(ValidationError, match="at least 10"):
        services.file_complaint(agency=agency, by=plain_user, text="差")
    # A complaint about the agency as a whole: any regulator covering its region may decide.
    services.decide_complaint(complaint=c1, by=other_department_regulator, verified=False, response="不属实。")
    assert Complaint.objects.get(pk=c1.pk).status == "dismissed"


def test_complaint_about_project_needs_participation(agency, plain_user):
    project = ProjectFactory()
    with pytest.raises(ValidationError, match="took no part"):
        services.file_complaint(agency=agency, by=plain_user, text="该机构在此项目中存在违规行为。", project=project)


# ---- repair -------------------------------------------------------------------------------------

def _penalty(agency, date, safety=False):
    return record_credit_event(agency=agency, code="penalty_general", date=date, cause="行政处罚决定书 平建罚〔2026〕1号",
                               safety_related=safety)


def test_repair_penalty_after_publicity(agency, agency_user, covering_regulator, today,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _penalty(agency, today - dt.timedelta(days=100))
    assert Agency.objects.get(pk=agency.pk).credit_score == 90
    app = services.apply_repair(event=event, by=agency_user, reason="已完成整改并缴纳罚款，提交整改报告。")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_repair(application=app, by=covering_regulator, approved=True, note="整改到位，同意修复。")
    event.refresh_from_db()
    assert event.state == "repaired"
    assert Agency.objects.get(pk=agency.pk).credit_score == 100
    assert CreditEvent.objects.filter(pk=event.pk).exists()  # the record is kept


def test_repair_refusals(agency, agency_user, today, plain_user):
    early = _penalty(agency, today - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="minimum publicity"):
        services.apply_repair(event=early, by=agency_user, reason="已完成整改并缴纳罚款，提交整改报告。")
    safety = record_credit_event(agency=agency, code="penalty_general", date=today - dt.timedelta(days=200),
                                 cause="消防行政处罚", safety_related=True, cause_obj=AgencyFactory())
    with pytest.raises(ValidationError, match="minimum publicity"):
        services.apply_repair(event=safety, by=agency_user, reason="已完成整改并缴纳罚款，提交整改报告。")
    platform = record_credit_event(agency=agency, code="overdue_major", date=today - dt.timedelta(days=200),
                                   cause="严重超时")
    with pytest.raises(ValidationError, match="platform-made deductions cannot be repaired"):
        services.apply_repair(event=platform, by=agency_user, reason="已完成整改并缴纳罚款，提交整改报告。")
    with pytest.raises(PermissionDenied):
        services.apply_repair(event=early, by=plain_user, reason="已完成整改并缴纳罚款，提交整改报告。")


# ---- sanctions --------------------------------------------------------------------------------

def _event(agency, code, date, n=[0]):  # noqa: B006 - a counter for distinct causes
    n[0] += 1
    return record_credit_event(agency=agency, code=code, date=date, cause=f"测试{n[0]}", cause_obj=AgencyFactory())


def test_d_grade_suspends_six_months(agency, today):
    for _ in range(2):
        _event(agency, "violation", today)
    _event(agency, "eval_basic", today)
    result = services.recompute_agency(agency, as_of=today)
    assert (result.score, result.grade) == (58, "D")
    agency.refresh_from_db()
    s = Sanction.objects.get(agency=agency)
    assert (s.kind, s.starts_on, agency.status, agency.suspended_until) == ("suspend_d", today, "suspended", s.ends_on)
    from ratings.scoring import add_months
    assert s.ends_on == add_months(today, 6)
    entry = AuditEntry.objects.filter(action="ratings.sanction_imposed").get()
    assert entry.data == {"agency": agency.pk, "uscc": agency.uscc, "kind": "suspend_d",
                          "starts_on": today.isoformat(), "ends_on": s.ends_on.isoformat()}
    assert AuditEntry.objects.filter(action="agencies.status_changed").get().data["to"] == "suspended"
    # Recomputing again imposes nothing new and writes no new credit_updated entry.
    n = AuditEntry.objects.filter(action="agencies.credit_updated").count()
    services.recompute_agency(agency, as_of=today)
    assert Sanction.objects.filter(agency=agency).count() == 1
    assert AuditEntry.objects.filter(action="agencies.credit_updated").count() == n
    # The suspension ends on schedule.
    assert services.expire_sanctions(today=s.ends_on) == 1
    agency.refresh_from_db()
    assert agency.status == "admitted"


def test_abandon_suspends_three_months(agency, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _event(agency, "abandon", today)
    agency.refresh_from_db()
    assert (agency.credit_score, agency.credit_grade, agency.status) == (90, "A", "suspended")
    assert Sanction.objects.get(agency=agency).kind == "suspend_abandon"


def test_fraud_removes_and_blacklists(agency, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _event(agency, "fraud", today)
    agency.refresh_from_db()
    assert (agency.credit_grade, agency.credit_forced, agency.status) == ("D", True, "blacklisted")
    assert set(Sanction.objects.filter(agency=agency).values_list("kind", flat=True)) >= {"removal", "blacklist"}
    bl = Blacklist.objects.get(uscc=agency.uscc)
    from ratings.scoring import add_months
    assert bl.ends_on == add_months(today, 36)


def test_second_d_within_24_months_removes(agency, today):
    GradeChange.objects.create(agency=agency, date=today - dt.timedelta(days=300), grade="D", previous="C", score=50)
    GradeChange.objects.create(agency=agency, date=today - dt.timedelta(days=100), grade="C", previous="D", score=60)
    agency.credit_grade, agency.credit_score = "C", 60
    agency.save()
    for _ in range(3):
        _event(agency, "violation", today)
    services.recompute_agency(agency, as_of=today)
    agency.refresh_from_db()
    kinds = set(Sanction.objects.filter(agency=agency).values_list("kind", flat=True))
    assert {"suspend_d", "removal", "blacklist"} <= kinds
    assert agency.status == "blacklisted"


def test_lift_sanction_restores_status(agency, today, covering_regulator, other_region_regulator):
    _event(agency, "abandon", today)
    services.recompute_agency(agency, as_of=today)
    s = Sanction.objects.get(agency=agency)
    with pytest.raises(PermissionDenied):
        services.lift_sanction(sanction=s, by=other_region_regulator, reason="越权")
    services.lift_sanction(sanction=s, by=covering_regulator, reason="放弃事由经核实为不可抗力。")
    agency.refresh_from_db()
    assert agency.status == "admitted"
