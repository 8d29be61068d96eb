"""Regulator enforcement: penalties, violations, fraud and serious dishonesty (双人复核), awards, revocation on
review with sanctions lifted automatically, sanctions imposed and lifted by hand, and who may do each."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency, Blacklist, CreditEvent
from marketplace import workdays
from marketplace.models import AuditEntry, Department, Organisation
from marketplace.policy import default_policy
from ratings import enforcement, grounds, sanctions, scoring, services
from ratings.models import EnforcementDecision, EnforcementFile, GradeChange, RepairApplication, Sanction
from tests.factories import AgencyServiceFactory, member_of, service_type
from tests.ratings.conftest import scoped_regulator

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FACTS = "该机构在项目申报中提供虚假的业绩证明材料，经调查属实。"
BASIS = "《中华人民共和国行政许可法》第七十八条"


def pdf(name="决定书.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def department(db):
    return service_type("ZR01").department


@pytest.fixture
def agency(db, department):
    return AgencyServiceFactory(service_type=service_type("ZR01")).agency


@pytest.fixture
def body(db, department):
    """The regulator organisation covering 平湖市 and the ZR01 department, with two members."""
    org = Organisation.objects.create(kind=Organisation.Kind.REGULATOR, name="平湖市自然资源和规划局")
    org.scope_regions.set(["330482"])
    org.scope_departments.set([department])
    return org


@pytest.fixture
def first(body):
    return member_of(body, name="王审核")


@pytest.fixture
def second(body):
    return member_of(body, name="李复核")


@pytest.fixture
def other_body_regulator(department):
    """Covers the agency too, but acts for another body."""
    return scoped_regulator(regions=["330482"], departments=[department])


@pytest.fixture
def other_region(department):
    return scoped_regulator(regions=["330421"], departments=[department])


@pytest.fixture
def other_department(department):
    return scoped_regulator(regions=["330482"], departments=[Department.objects.exclude(pk=department.pk).first()])


@pytest.fixture
def agency_member(agency):
    return member_of(agency.organisation)


def record(agency, by, code="penalty_general", number="平自然资罚〔2026〕12号", decided_on=None, files=None, **kw):
    decided_on = decided_on or workdays.today() - dt.timedelta(days=3)
    return enforcement.record_decision(
        agency=agency, by=by, code=code, document_number=number, decided_on=decided_on,
        deciding_body="平湖市自然资源和规划局", legal_basis=kw.pop("legal_basis", BASIS), summary=kw.pop("summary", FACTS),
        files=[pdf()] if files is None else files, **kw)


# ---- recording -----------------------------------------------------------------------------------

def test_penalty_takes_effect_at_once_with_its_document(agency, first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = record(agency, first, safety_related=True)
    d.refresh_from_db()
    assert d.status == "effective" and d.regulator.name == "平湖市自然资源和规划局" and d.recorded_by == first
    event = d.event
    assert (event.code, event.date, event.state, event.safety_related) == ("penalty_general", d.decided_on,
                                                                           "counted", True)
    assert "平自然资罚〔2026〕12号" in event.cause and event.cause_type == "ratings.enforcementdecision"
    agency.refresh_from_db()
    assert (agency.credit_score, agency.credit_grade) == (90, "A")
    stored = EnforcementFile.objects.get(decision=d)
    assert stored.original_name == "决定书.pdf" and stored.content_type == "application/pdf"
    assert stored.file.name.startswith(f"enforcement/{d.pk}/") and "决定书" not in stored.file.name
    entry = AuditEntry.objects.get(action="ratings.enforcement_recorded")
    assert entry.data["status"] == "effective" and entry.data["document_number"] == "平自然资罚〔2026〕12号"
    assert entry.data["files"] == 1 and entry.organisation_id == d.regulator_id


def test_violation_deducts_twenty(agency, first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(agency, first, code="violation", number="平自然资违〔2026〕3号")
    agency.refresh_from_db()
    assert (agency.credit_score, agency.credit_grade) == (80, "B")


def test_award_needs_no_legal_basis_and_adds_a_bonus(agency, first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(agency, first, code="violation", number="违〔2026〕1号")
        d = record(agency, first, code="award_city", number="嘉政发〔2026〕8号", legal_basis="",
                   summary="2025年度全市测绘地理信息服务优秀单位")
    agency.refresh_from_db()
    assert d.status == "effective" and d.event.code == "award_city"
    assert agency.credit_score == 82


@pytest.mark.parametrize("change, message", [
    ({"number": " "}, "文号"),
    ({"decided_on": workdays.today() + dt.timedelta(days=1)}, "future"),
    ({"files": []}, "at least one file"),
    ({"files": [pdf("x.pdf", b"MZ\x90\x00 not a pdf")]}, "only PDF, JPEG or PNG"),
    ({"legal_basis": ""}, "法律依据"),
    ({"summary": "太短"}, "at least 10"),
    ({"code": "eval_unsat"}, "choose what is recorded"),
])
def test_bad_input_is_refused_and_changes_nothing(agency, first, change, message):
    with pytest.raises(ValidationError) as exc:
        record(agency, first, **change)
    assert message in " ".join(exc.value.messages)
    assert not EnforcementDecision.objects.exists() and not CreditEvent.objects.exists()
    assert not EnforcementFile.objects.exists()


def test_the_same_document_is_not_recorded_twice(agency, first):
    record(agency, first)
    with pytest.raises(ValidationError, match="already recorded"):
        record(agency, first)
    assert CreditEvent.objects.count() == 1


def test_department_named_must_be_one_the_agency_works_under(agency, department):
    unscoped = scoped_regulator(regions=["330482"])
    other = Department.objects.exclude(pk=department.pk).first()
    with pytest.raises(ValidationError, match="no service under this department"):
        record(agency, unscoped, department=other)
    assert record(agency, unscoped, department=department).department == department


def test_who_may_record(agency, agency_member, owner_user, operator_user, other_region, other_department, plain_user):
    for user in (agency_member, owner_user, operator_user, other_region, other_department, plain_user):
        with pytest.raises(PermissionDenied):
            record(agency, user)
    assert not EnforcementDecision.objects.exists()


# ---- 双人复核 -------------------------------------------------------------------------------------

def test_fraud_waits_for_a_second_regulator_of_the_same_body(agency, first, second, other_body_regulator,
                                                            other_region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = record(agency, first, code="fraud", number="平自然资罚〔2026〕20号")
    agency.refresh_from_db()
    assert d.status == "pending" and d.event is None and not CreditEvent.objects.exists()
    assert (agency.credit_grade, agency.status) == ("A", "admitted")
    with pytest.raises(ValidationError, match="you recorded this yourself"):
        enforcement.confirm_decision(decision=d, by=first)
    for outsider in (other_body_regulator, other_region):
        with pytest.raises(PermissionDenied):
            enforcement.confirm_decision(decision=d, by=outsider)
    assert EnforcementDecision.objects.get(pk=d.pk).status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        enforcement.confirm_decision(decision=d, by=second, note="材料核实无误")
    d.refresh_from_db()
    agency.refresh_from_db()
    assert (d.status, d.recorded_by, d.confirmed_by) == ("effective", first, second)
    assert d.event.code == "fraud" and d.event.state == "counted"
    assert (agency.credit_grade, agency.credit_forced, agency.status) == ("D", True, "blacklisted")
    kinds = set(Sanction.objects.filter(agency=agency).values_list("kind", flat=True))
    assert kinds == {"suspend_d", "removal", "blacklist"}
    bl = Blacklist.objects.get(uscc=agency.uscc)
    assert bl.ends_on == scoring.add_months(d.decided_on, 36)
    entry = AuditEntry.objects.get(action="ratings.enforcement_confirmed")
    assert (entry.data["recorded_by"], entry.data["confirmed_by"]) == (first.pk, second.pk)
    with pytest.raises(ValidationError, match="not waiting"):
        enforcement.confirm_decision(decision=d, by=second)


def test_serious_dishonesty_confirmed_forces_d_and_suspends(agency, first, second, django_capture_on_commit_callbacks):
    d = record(agency, first, code="serious_dishonesty", number="严重失信〔2026〕2号")
    with django_capture_on_commit_callbacks(execute=True):
        enforcement.confirm_decision(decision=d, by=second)
    agency.refresh_from_db()
    assert (agency.credit_grade, agency.status) == ("D", "suspended")
    assert Sanction.objects.get(agency=agency).kind == "suspend_d"


def test_the_second_regulator_may_reject(agency, first, second):
    d = record(agency, first, code="fraud")
    with pytest.raises(ValidationError, match="at least 5"):
        enforcement.reject_decision(decision=d, by=second, reason="不")
    enforcement.reject_decision(decision=d, by=second, reason="证据不足，退回补充调查")
    d.refresh_from_db()
    assert (d.status, d.confirmed_by, d.confirm_note) == ("rejected", second, "证据不足，退回补充调查")
    assert not CreditEvent.objects.exists()
    # Rejected, the same document may be recorded again.
    assert record(agency, first, code="fraud").status == "pending"


# ---- revocation on review and automatic lifting ---------------------------------------------------

def _confirmed_fraud(agency, first, second, capture):
    d = record(agency, first, code="fraud", number="平自然资罚〔2026〕20号", decided_on=workdays.today())
    with capture(execute=True):
        enforcement.confirm_decision(decision=d, by=second)
    return d


def test_fraud_revoked_on_review_lifts_its_sanctions_and_reinstates(agency, first, second,
                                                                     django_capture_on_commit_callbacks):
    d = _confirmed_fraud(agency, first, second, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="at least 10"):
        enforcement.revoke_decision(decision=d, by=first, reason="撤销")
    with django_capture_on_commit_callbacks(execute=True):
        enforcement.revoke_decision(decision=d, by=first, reason="行政复议决定撤销原处罚决定，证据不足。",
                                    review_document="嘉政复〔2026〕5号")
    d.refresh_from_db()
    agency.refresh_from_db()
    assert (d.status, d.revoked_by, d.revoke_document) == ("revoked", first, "嘉政复〔2026〕5号")
    assert d.event.state == "voided"
    correction = CreditEvent.objects.get(corrects=d.event)
    assert correction.state == "correction" and "嘉政复〔2026〕5号" in correction.cause
    assert (agency.credit_grade, agency.credit_score, agency.status) == ("A", 100, "admitted")
    assert not Sanction.objects.filter(agency=agency, lifted_at__isnull=True).exists()
    lifted = AuditEntry.objects.filter(action="ratings.sanction_lifted")
    assert lifted.count() == 3 and all(e.data["automatic"] and e.actor_id is None for e in lifted)
    assert Blacklist.objects.get(uscc=agency.uscc).ends_on == workdays.today()
    assert GradeChange.objects.get(agency=agency, grade="D").voided_on == workdays.today()
    assert AuditEntry.objects.filter(action="ratings.grade_change_voided").count() == 1
    assert AuditEntry.objects.filter(action="agencies.status_changed").last().data["to"] == "admitted"
    with pytest.raises(ValidationError, match="only an effective record"):
        enforcement.revoke_decision(decision=d, by=first, reason="行政复议决定撤销原处罚决定，证据不足。")


def test_only_the_recording_body_revokes(agency, first, second, other_body_regulator, other_department,
                                         django_capture_on_commit_callbacks):
    d = _confirmed_fraud(agency, first, second, django_capture_on_commit_callbacks)
    for outsider in (other_body_regulator, other_department):
        with pytest.raises(PermissionDenied):
            enforcement.revoke_decision(decision=d, by=outsider, reason="行政复议决定撤销原处罚决定，证据不足。")
    assert EnforcementDecision.objects.get(pk=d.pk).status == "effective"


def test_a_d_still_founded_on_other_lines_keeps_its_suspension(agency, first, second,
                                                               django_capture_on_commit_callbacks):
    today = workdays.today()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            record(agency, first, code="violation", number=f"违〔2026〕{n}号", decided_on=today - dt.timedelta(days=5))
    d = _confirmed_fraud(agency, first, second, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        enforcement.revoke_decision(decision=d, by=first, reason="行政复议决定撤销原处罚决定，证据不足。")
    agency.refresh_from_db()
    live = set(Sanction.objects.filter(agency=agency, lifted_at__isnull=True).values_list("kind", flat=True))
    assert live == {"suspend_d"} and (agency.credit_grade, agency.status) == ("D", "suspended")


def test_manual_sanctions_are_never_lifted_automatically(agency, first, second, django_capture_on_commit_callbacks):
    sanctions.impose_by_hand(agency=agency, by=first, kind="suspend_manual", reason="拒不配合监督检查，责令暂停。",
                             ends_on=workdays.today() + dt.timedelta(days=30))
    d = _confirmed_fraud(agency, first, second, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        enforcement.revoke_decision(decision=d, by=first, reason="行政复议决定撤销原处罚决定，证据不足。")
    agency.refresh_from_db()
    live = set(Sanction.objects.filter(agency=agency, lifted_at__isnull=True).values_list("kind", flat=True))
    assert live == {"suspend_manual"} and agency.status == "suspended"


def test_penalty_revoked_restores_the_score(agency, first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = record(agency, first)
    with django_capture_on_commit_callbacks(execute=True):
        enforcement.revoke_decision(decision=d, by=first, reason="复查发现处罚对象认定错误，予以撤销。")
    agency.refresh_from_db()
    assert agency.credit_score == 100


# ---- grounds (pure) ---------------------------------------------------------------------------------

def test_grounds_are_lost_only_to_a_void():
    policy = default_policy()
    day = dt.date(2026, 5, 4)
    fraud = scoring.Event("fraud", day, "voided")
    assert grounds.voided_away("removal", day, events=[fraud], d_dates=[], policy=policy)
    assert grounds.voided_away("suspend_d", day, events=[fraud], d_dates=[], policy=policy)
    assert grounds.d_voided_away(day, events=[fraud], policy=policy)
    pending = scoring.Event("fraud", day, "appeal_pending")
    assert not grounds.voided_away("removal", day, events=[pending], d_dates=[], policy=policy)
    # Nothing in the ledger ever explained it: left alone.
    assert not grounds.voided_away("suspend_d", day, events=[], d_dates=[], policy=policy)
    # Still D from other lines.
    others = [scoring.Event("violation", day - dt.timedelta(days=n)) for n in range(3)]
    assert not grounds.voided_away("suspend_d", day, events=[fraud, *others], d_dates=[], policy=policy)
    assert grounds.voided_away("removal", day, events=[fraud, *others], d_dates=[], policy=policy)
    assert not grounds.voided_away("suspend_manual", day, events=[fraud], d_dates=[], policy=policy)
    abandon = scoring.Event("abandon", day, "voided")
    assert grounds.voided_away("suspend_abandon", day, events=[abandon], d_dates=[], policy=policy)


# ---- sanctions by hand ------------------------------------------------------------------------------

def test_impose_and_lift_by_hand(agency, first, django_capture_on_commit_callbacks):
    ends = workdays.today() + dt.timedelta(days=60)
    with pytest.raises(ValidationError, match="end date is required"):
        sanctions.impose_by_hand(agency=agency, by=first, kind="suspend_manual", reason="拒不配合监督检查，责令暂停。")
    with pytest.raises(ValidationError, match="at least 10"):
        sanctions.impose_by_hand(agency=agency, by=first, kind="suspend_manual", reason="暂停", ends_on=ends)
    with pytest.raises(ValidationError, match="choose a suspension"):
        sanctions.impose_by_hand(agency=agency, by=first, kind="suspend_d", reason="拒不配合监督检查，责令暂停。")
    assert not Sanction.objects.exists()
    s = sanctions.impose_by_hand(agency=agency, by=first, kind="suspend_manual", reason="拒不配合监督检查，责令暂停。",
                                 ends_on=ends)
    agency.refresh_from_db()
    assert (s.manual, s.imposed_by, agency.status, agency.suspended_until) == (True, first, "suspended", ends)
    assert AuditEntry.objects.get(action="ratings.sanction_imposed").data["manual"] is True
    services.lift_sanction(sanction=s, by=first, reason="已整改到位，提前解除。")
    agency.refresh_from_db()
    assert agency.status == "admitted"


def test_blacklist_by_hand_defaults_to_policy_years_and_lifting_reinstates(agency, first):
    today = workdays.today()
    removal = sanctions.impose_by_hand(agency=agency, by=first, kind="removal", reason="以欺骗手段取得入驻资格。")
    blacklist = sanctions.impose_by_hand(agency=agency, by=first, kind="blacklist", reason="以欺骗手段取得入驻资格。")
    agency.refresh_from_db()
    assert agency.status == "blacklisted" and blacklist.ends_on == scoring.add_months(today, 36)
    services.lift_sanction(sanction=blacklist, by=first, reason="复议撤销，解除黑名单。")
    agency.refresh_from_db()
    assert agency.status == "removed"
    services.lift_sanction(sanction=removal, by=first, reason="复议撤销，恢复入驻。")
    agency.refresh_from_db()
    assert agency.status == "admitted"


def test_who_may_impose_and_lift(agency, first, agency_member, owner_user, operator_user, other_region,
                                 other_department):
    for user in (agency_member, owner_user, operator_user, other_region, other_department):
        with pytest.raises(PermissionDenied):
            sanctions.impose_by_hand(agency=agency, by=user, kind="removal", reason="以欺骗手段取得入驻资格。")
    s = sanctions.impose_by_hand(agency=agency, by=first, kind="removal", reason="以欺骗手段取得入驻资格。")
    for user in (agency_member, owner_user, operator_user, other_region, other_department):
        with pytest.raises(PermissionDenied):
            services.lift_sanction(sanction=s, by=user, reason="越权解除")
    assert Sanction.objects.get(pk=s.pk).lifted_at is None


# ---- credit repair of a recorded penalty, end to end ----------------------------------------------

def test_penalty_recorded_here_is_repaired_through_the_existing_screens(client, agency, agency_member, first,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = record(agency, first, decided_on=workdays.today() - dt.timedelta(days=120))
    client.force_login(agency_member)
    page = client.get(f"/credit/agencies/{agency.uscc}/").content.decode()
    assert f"/credit/ledger/{d.event_id}/repair/" in page
    response = client.post(f"/credit/ledger/{d.event_id}/repair/", {"reason": "已全面整改并缴清罚款，提交整改报告。"})
    assert response.status_code == 302
    application = RepairApplication.objects.get(event=d.event)
    client.force_login(first)
    assert "已全面整改" in client.get("/credit/regulator/repairs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credit/regulator/repairs/{application.pk}/decide/", {"decision": "approve", "note": "同意修复"})
    agency.refresh_from_db()
    assert CreditEvent.objects.get(pk=d.event_id).state == "repaired" and agency.credit_score == 100


# ---- views: who is refused -----------------------------------------------------------------------

@pytest.fixture
def pending_fraud(agency, first):
    return record(agency, first, code="fraud")


def test_list_view(client, pending_fraud, first, second, agency_member, owner_user, other_region, other_department):
    assert client.get("/credit/regulator/enforcement/").status_code == 403
    for user in (agency_member, owner_user):
        client.force_login(user)
        assert client.get("/credit/regulator/enforcement/").status_code == 403
    for user in (other_region, other_department):
        client.force_login(user)
        page = client.get("/credit/regulator/enforcement/")
        assert page.status_code == 200 and pending_fraud.document_number not in page.content.decode()
    client.force_login(second)
    page = client.get("/credit/regulator/enforcement/").content.decode()
    assert pending_fraud.document_number in page and "提供虚假材料" in page and "fraud" not in page.split("<table")[1]
    assert client.get("/credit/regulator/enforcement/?format=csv").status_code == 200


def _form(uscc, **extra):
    return {"uscc": uscc, "code": "penalty_general", "document_number": "平自然资罚〔2026〕99号",
            "decided_on": (workdays.today() - dt.timedelta(days=1)).isoformat(), "deciding_body": "平湖市自然资源和规划局",
            "legal_basis": BASIS, "summary": FACTS, "files": pdf(), **extra}


def test_record_view(client, agency, first, body, agency_member, owner_user, operator_user, other_region,
                     other_department, django_capture_on_commit_callbacks):
    url = "/credit/regulator/enforcement/new/"
    assert client.get(url).status_code == 403
    assert client.post(url, _form(agency.uscc, organisation=body.pk)).status_code == 403
    for user in (agency_member, owner_user, operator_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, _form(agency.uscc, organisation=body.pk)).status_code == 403
    for user in (other_region, other_department):
        client.force_login(user)
        assert client.get(url).status_code == 200
        org = user.memberships.get().organisation_id
        assert client.post(url, _form(agency.uscc, organisation=org)).status_code == 403
    assert not EnforcementDecision.objects.exists()
    client.force_login(first)
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    page = client.post(url, _form(agency.uscc, organisation=body.pk, files=pdf("x.pdf", b"not a pdf")))
    assert page.status_code == 200 and "only PDF, JPEG or PNG" in page.content.decode()
    page = client.post(url, _form("91330482MA00000000", organisation=body.pk))
    assert "no agency with this USCC" in page.content.decode()
    assert not EnforcementDecision.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(agency.uscc, organisation=body.pk))
    d = EnforcementDecision.objects.get()
    assert response.status_code == 302 and response.url == f"/credit/regulator/enforcement/{d.pk}/"
    agency.refresh_from_db()
    assert agency.credit_score == 90


def test_award_view(client, agency, first, body, agency_member, owner_user, operator_user, other_region,
                    other_department, django_capture_on_commit_callbacks):
    url = "/credit/regulator/enforcement/award/"
    data = _form(agency.uscc, organisation=body.pk, code="award_province", legal_basis="")
    assert client.get(url).status_code == 403
    assert client.post(url, {**data, "files": pdf()}).status_code == 403
    for user in (agency_member, owner_user, operator_user, other_region, other_department):
        client.force_login(user)
        if user in (agency_member, owner_user, operator_user):
            assert client.get(url).status_code == 403
        org = user.memberships.get().organisation_id
        assert client.post(url, {**data, "organisation": org, "files": pdf()}).status_code == 403
    assert not EnforcementDecision.objects.exists()
    client.force_login(first)
    page = client.get(url).content.decode()
    assert "表彰文件文号" in page and "省级表彰" in page and "行政处罚" not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    agency.refresh_from_db()
    assert agency.credit_score == 103


def test_detail_confirm_and_file_views(client, pending_fraud, first, second, agency_member, owner_user, operator_user,
                                       other_region, other_department, other_body_regulator,
                                       django_capture_on_commit_callbacks):
    d = pending_fraud
    detail, confirm = f"/credit/regulator/enforcement/{d.pk}/", f"/credit/regulator/enforcement/{d.pk}/confirm/"
    evidence = f"/credit/regulator/enforcement/files/{d.files.get().pk}/"
    assert client.get(detail).status_code == 403
    assert client.post(confirm, {"decision": "confirm"}).status_code == 403
    assert client.get(evidence).status_code == 302  # to the login page
    for user in (agency_member, owner_user, other_region, other_department):
        client.force_login(user)
        assert client.get(detail).status_code == 403
        assert client.post(confirm, {"decision": "confirm"}).status_code == 403
        assert client.get(evidence).status_code == 404
    client.force_login(operator_user)  # operators see the record, but do not decide cases
    assert client.get(detail).status_code == 200
    assert client.post(confirm, {"decision": "confirm"}).status_code == 403
    client.force_login(other_body_regulator)  # sees it (covers the agency) but may not confirm for another body
    assert client.get(detail).status_code == 200
    assert client.post(confirm, {"decision": "confirm"}).status_code == 403
    client.force_login(first)
    page = client.get(detail).content.decode()
    assert 'id="own-pending"' in page and 'id="confirm-form"' not in page
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    response = client.post(confirm, {"decision": "confirm"}, follow=True)
    assert "you recorded this yourself" in response.content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert EnforcementDecision.objects.get(pk=d.pk).status == "pending"
    body = client.get(evidence)
    assert body.status_code == 200 and b"".join(body.streaming_content) == PDF
    assert body["Cache-Control"] == "private, no-store"
    client.force_login(second)
    assert 'id="confirm-form"' in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"decision": "confirm", "note": "核实无误"})
    d.refresh_from_db()
    assert (d.status, d.confirmed_by) == ("effective", second)
    page = client.get(detail).content.decode()
    assert "王审核" in page and "李复核" in page and 'id="revoke-form"' in page
    assert "复核确认" in page and "ratings.enforcement" not in page


def test_reject_view_needs_a_reason(client, pending_fraud, second):
    client.force_login(second)
    url = f"/credit/regulator/enforcement/{pending_fraud.pk}/confirm/"
    response = client.post(url, {"decision": "reject", "note": ""}, follow=True)
    assert "at least 5" in response.content.decode()
    client.post(url, {"decision": "reject", "note": "证据不足，退回补充调查"})
    assert EnforcementDecision.objects.get(pk=pending_fraud.pk).status == "rejected"


def test_revoke_view(client, agency, first, second, agency_member, owner_user, operator_user, other_region,
                     other_department, other_body_regulator, django_capture_on_commit_callbacks):
    d = _confirmed_fraud(agency, first, second, django_capture_on_commit_callbacks)
    url = f"/credit/regulator/enforcement/{d.pk}/revoke/"
    reason = {"reason": "行政复议决定撤销原处罚决定，证据不足。"}
    assert client.post(url, reason).status_code == 403
    for user in (agency_member, owner_user, operator_user, other_region, other_department, other_body_regulator):
        client.force_login(user)
        assert client.post(url, reason).status_code == 403
    assert EnforcementDecision.objects.get(pk=d.pk).status == "effective"
    client.force_login(second)
    response = client.post(url, {"reason": "短"}, follow=True)
    assert "at least 10" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, reason)
    agency.refresh_from_db()
    assert EnforcementDecision.objects.get(pk=d.pk).status == "revoked" and agency.status == "admitted"


def test_sanction_views(client, agency, first, agency_member, owner_user, operator_user, other_region,
                        other_department):
    url = "/credit/regulator/sanctions/new/"
    data = {"uscc": agency.uscc, "kind": "suspend_manual", "reason": "拒不配合监督检查，责令暂停。",
            "ends_on": (workdays.today() + dt.timedelta(days=30)).isoformat()}
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    for user in (agency_member, owner_user, operator_user, other_region, other_department):
        client.force_login(user)
        assert client.post(url, data).status_code == 403
    assert not Sanction.objects.exists()
    client.force_login(first)
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    response = client.post(url, {**data, "ends_on": ""}, follow=True)
    assert "end date is required" in response.content.decode()
    assert client.post(url, data).status_code == 302
    s = Sanction.objects.get()
    assert Agency.objects.get(pk=agency.pk).status == "suspended"
    lift = f"/credit/regulator/sanctions/{s.pk}/lift/"
    client.logout()
    assert client.post(lift, {"reason": "越权解除"}).status_code == 403
    for user in (agency_member, owner_user, other_region, other_department):
        client.force_login(user)
        assert client.post(lift, {"reason": "越权解除"}).status_code == 403
    assert Sanction.objects.get(pk=s.pk).lifted_at is None
    client.force_login(first)
    client.post(lift, {"reason": "已整改到位，提前解除。"})
    assert Sanction.objects.get(pk=s.pk).lifted_at is not None
    assert Agency.objects.get(pk=agency.pk).status == "admitted"
