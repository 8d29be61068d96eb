"""Report review (报告复审): opened on acceptance, recorded by a regulator of the approving department in
its window, 基本合格/不合格 on the ledger, appealed like a rating; the pages and who they refuse."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency, CreditEvent
from marketplace import audit, workdays
from marketplace.policy import current_policy, default_policy
from projects.delivery import services as delivery
from ratings import reviews, scoring, services
from ratings.models import Appeal, ReportReview
from tests.delivery.files import pdf
from tests.factories import AgencyFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db

REASONS = "报告中多处测量数据与现场不符，结论依据不足。"
GROUNDS = "复审所指数据已按规范复核无误，附复核记录，请予撤销。"
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def review(project, agency, today):
    return reviews.open_review(project=project, agency=agency, accepted_on=today - dt.timedelta(days=1))


def record(review, user, outcome, reasons=REASONS, capture=None):
    if capture is None:
        return reviews.record_review(review=review, by=user, outcome=outcome, reasons=reasons)
    with capture(execute=True):
        return reviews.record_review(review=review, by=user, outcome=outcome, reasons=reasons)


def unchanged(review):
    fresh = ReportReview.objects.get(pk=review.pk)
    return fresh.outcome == "" and not CreditEvent.objects.filter(agency_id=review.agency_id).exists()


# ---- policy and engine --------------------------------------------------------------------------

def test_policy_defaults_and_the_engine_scores_both_codes():
    p = default_policy()
    assert p["report_review_wd"] == 15
    assert (p["credit_deductions"]["review_basic"], p["credit_deductions"]["review_fail"]) == (2, 5)
    day = dt.date(2025, 6, 1)
    result = scoring.score([{"code": "review_basic", "date": day}, {"code": "review_fail", "date": day}],
                           as_of=dt.date(2025, 12, 31), policy=p)
    assert (result.score, result.grade) == (93, "A")
    assert set(CreditEvent.Code.values) >= {"review_basic", "review_fail"}


# ---- opening on acceptance ----------------------------------------------------------------------

def test_accepting_a_deliverable_opens_the_review_with_its_window(owner_org, django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    agency_user, owner_user = member_of(agency.organisation), member_of(owner_org)
    project = ProjectFactory(owner=owner_org, status="contracting")
    day = dt.date(2025, 9, 26)
    job = delivery.start_service(project=project, agency=agency, contract_signed_on=day, limit_wd=10, by=owner_user,
                                 materials_complete_on=day, now=dt.datetime(2025, 9, 26, 10, tzinfo=TZ))
    d = delivery.submit_deliverable(job=job, files=[pdf()], note="成果报告", by=agency_user,
                                    now=dt.datetime(2025, 10, 16, 10, tzinfo=TZ))
    with django_capture_on_commit_callbacks(execute=True):
        delivery.accept_deliverable(deliverable=d, by=owner_user, now=dt.datetime(2025, 10, 20, 10, tzinfo=TZ))
    review = ReportReview.objects.get(project=project, agency=agency)
    assert (review.accepted_on, review.job_id, review.deliverable_id) == (dt.date(2025, 10, 20), job.pk, d.pk)
    assert review.due_on == workdays.add_working_days(dt.date(2025, 10, 20), 15)
    assert review.outcome == "" and review.policy_version == current_policy().version
    assert audit.history(review).get().action == "ratings.review_opened"
    # Replaying the acceptance opens nothing more.
    entry = audit.history(job).get(action="projects.deliverable_accepted")
    reviews.on_deliverable_accepted(entry)
    assert ReportReview.objects.filter(project=project).count() == 1


# ---- the review ---------------------------------------------------------------------------------

def test_only_a_regulator_of_the_approving_department_in_the_region_reviews(
        review, agency_user, owner_user, operator_user, plain_user, other_region_regulator,
        other_department_regulator, covering_regulator):
    for user in (None, agency_user, owner_user, operator_user, plain_user, other_region_regulator,
                 other_department_regulator):
        with pytest.raises(PermissionDenied):
            reviews.record_review(review=review, by=user, outcome="fail", reasons=REASONS)
    assert unchanged(review)
    done = reviews.record_review(review=review, by=covering_regulator, outcome="pass", reasons="")
    assert (done.outcome, done.reviewed_by, done.reviewed_on) == ("pass", covering_regulator, workdays.today())
    assert done.reviewer_org.kind == "regulator"
    assert not CreditEvent.objects.filter(agency=review.agency).exists()  # 合格 deducts nothing


@pytest.mark.parametrize(("outcome", "code", "score"), [("basic", "review_basic", 98), ("fail", "review_fail", 95)])
def test_basic_and_fail_deduct_through_the_ledger(review, covering_regulator, outcome, code, score,
                                                   django_capture_on_commit_callbacks):
    record(review, covering_regulator, outcome, capture=django_capture_on_commit_callbacks)
    (event,) = CreditEvent.objects.filter(agency=review.agency)
    assert (event.code, event.state, event.date) == (code, "counted", workdays.today())
    assert (event.cause_type, event.cause_id) == ("ratings.reportreview", str(review.pk))
    assert Agency.objects.get(pk=review.agency_id).credit_score == score
    entry = audit.history(review).get(action="ratings.review_recorded")
    assert entry.data["outcome"] == outcome and entry.data["event"] == event.pk


@pytest.mark.parametrize(("outcome", "reasons", "message"), [
    ("", REASONS, "choose 合格"),
    ("excellent", REASONS, "choose 合格"),
    ("fail", "不行", "at least 10"),
    ("basic", "   ", "at least 10"),
    ("fail", REASONS + "\x00", "invalid character"),
])
def test_bad_input_changes_nothing(review, covering_regulator, outcome, reasons, message):
    with pytest.raises(ValidationError, match=message):
        reviews.record_review(review=review, by=covering_regulator, outcome=outcome, reasons=reasons)
    assert unchanged(review)


def test_once_and_only_within_the_window(review, covering_regulator, today):
    with pytest.raises(ValidationError, match="review deadline"):
        reviews.record_review(review=review, by=covering_regulator, outcome="fail", reasons=REASONS,
                              today=review.due_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before acceptance"):
        reviews.record_review(review=review, by=covering_regulator, outcome="fail", reasons=REASONS,
                              today=review.accepted_on - dt.timedelta(days=1))
    assert unchanged(review)
    reviews.record_review(review=review, by=covering_regulator, outcome="fail", reasons=REASONS)
    with pytest.raises(ValidationError, match="already been reviewed"):
        reviews.record_review(review=review, by=covering_regulator, outcome="pass", reasons="")
    assert ReportReview.objects.get(pk=review.pk).outcome == "fail"


# ---- appeal -------------------------------------------------------------------------------------

@pytest.fixture
def failed(review, covering_regulator, django_capture_on_commit_callbacks):
    return record(review, covering_regulator, "fail", capture=django_capture_on_commit_callbacks)


def test_appeal_suspends_then_upheld_voids_the_deduction(failed, agency_user, covering_regulator, project,
                                                          django_capture_on_commit_callbacks):
    second = member_of(covering_regulator.memberships.get().organisation)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS)
    event = CreditEvent.objects.get(agency=failed.agency)
    assert (appeal.review, appeal.rating, event.state) == (failed, None, "appeal_pending")
    assert Agency.objects.get(pk=failed.agency_id).credit_score == 100
    with pytest.raises(PermissionDenied):  # the reviewer does not decide the appeal against their own review
        services.decide_appeal(appeal=appeal, by=covering_regulator, upheld=True, note="自行撤销")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=second, upheld=True, note="经复核，报告数据无误。")
    event.refresh_from_db()
    assert (Appeal.objects.get(pk=appeal.pk).status, event.state) == ("upheld", "voided")
    assert Agency.objects.get(pk=failed.agency_id).credit_score == 100
    entry = audit.history(appeal).get(action="ratings.appeal_decided")
    assert (entry.data["review"], entry.data["rating"], entry.data["event_state"]) == (failed.pk, None, "voided")


def test_appeal_rejected_counts_again(failed, agency_user, covering_regulator, django_capture_on_commit_callbacks):
    appeal = reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS)
    second = member_of(covering_regulator.memberships.get().organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=second, upheld=False, note="复审结论成立。")
    assert CreditEvent.objects.get(agency=failed.agency).state == "counted"
    assert Agency.objects.get(pk=failed.agency_id).credit_score == 95


def test_appeal_guards(failed, review, agency_user, owner_user, covering_regulator, other_region_regulator,
                       other_department_regulator, operator_user):
    for user in (owner_user, covering_regulator, member_of(AgencyFactory().organisation)):
        with pytest.raises(PermissionDenied):
            reviews.file_review_appeal(review=failed, by=user, reason=GROUNDS)
    late = reviews.appeal_deadline(failed, current_policy()) + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="appeal deadline"):
        reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS, today=late)
    with pytest.raises(ValidationError, match="at least 10"):
        reviews.file_review_appeal(review=failed, by=agency_user, reason="不服")
    assert not Appeal.objects.exists()
    appeal = reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS)
    with pytest.raises(ValidationError, match="already been appealed"):
        reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS)
    for user in (other_region_regulator, other_department_regulator, owner_user, agency_user, operator_user):
        with pytest.raises(PermissionDenied):
            services.decide_appeal(appeal=appeal, by=user, upheld=True, note="越权处理")
    assert Appeal.objects.get(pk=appeal.pk).status == "pending"


def test_a_pass_cannot_be_appealed(review, covering_regulator, agency_user):
    reviews.record_review(review=review, by=covering_regulator, outcome="pass", reasons="")
    with pytest.raises(ValidationError, match="only 基本合格 or 不合格"):
        reviews.file_review_appeal(review=ReportReview.objects.get(pk=review.pk), by=agency_user, reason=GROUNDS)


# ---- pages --------------------------------------------------------------------------------------

def test_queue_refuses_non_regulators_and_shows_only_the_scope(client, review, agency_user, owner_user, plain_user,
                                                               other_region_regulator, other_department_regulator,
                                                               covering_regulator):
    url = "/credit/regulator/reviews/"
    assert client.get(url).status_code == 403
    for user in (agency_user, owner_user, plain_user):
        assert login(client, user).get(url).status_code == 403
    for user in (other_region_regulator, other_department_regulator):
        body = login(client, user).get(url).content.decode()
        assert review.project.code not in body
        assert review.project.code not in client.get(url, {"format": "csv"}).content.decode()
    body = login(client, covering_regulator).get(url).content.decode()
    assert review.project.code in body and str(review.due_on) in body
    assert f"/credit/regulator/reviews/{review.pk}/" in body
    csv_body = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert review.project.code in csv_body and "复审截止" in csv_body
    assert review.project.code not in client.get(url, {"status": "reviewed"}).content.decode()


def test_form_refuses_every_other_role(client, review, agency_user, owner_user, operator_user,
                                       other_region_regulator, other_department_regulator):
    url = f"/credit/regulator/reviews/{review.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"outcome": "fail", "reasons": REASONS}).status_code == 403
    for user in (agency_user, owner_user, operator_user, other_region_regulator, other_department_regulator):
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"outcome": "fail", "reasons": REASONS}).status_code == 403
    assert unchanged(review)


def test_form_records_and_shows_refusals(client, review, covering_regulator, django_capture_on_commit_callbacks):
    url = f"/credit/regulator/reviews/{review.pk}/"
    login(client, covering_regulator)
    body = client.get(url).content.decode()
    assert "基本合格" in body and "不合格" in body and review.project.code in body
    response = client.post(url, {"outcome": "fail", "reasons": "短"}, follow=True)
    assert "at least 10" in response.content.decode()
    assert unchanged(review)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"outcome": "basic", "reasons": REASONS}).status_code == 302
    assert ReportReview.objects.get(pk=review.pk).outcome == "basic"
    assert Agency.objects.get(pk=review.agency_id).credit_score == 98


def test_agency_sees_its_reviews_and_appeals_through_the_page(client, failed, agency_user, owner_user,
                                                              covering_regulator, plain_user):
    url = "/credit/reviews/"
    assert client.get(url).status_code == 302  # anonymous → login
    for user in (owner_user, covering_regulator, plain_user):
        assert login(client, user).get(url).status_code == 403
    other = member_of(AgencyFactory().organisation)
    assert failed.project.code not in login(client, other).get(url).content.decode()
    body = login(client, agency_user).get(url).content.decode()
    assert failed.project.code in body and "不合格" in body and REASONS in body
    appeal_url = f"/credit/reviews/{failed.pk}/appeal/"
    for user in (owner_user, covering_regulator, other):
        assert login(client, user).post(appeal_url, {"reason": GROUNDS}).status_code == 403
    client.logout()
    assert client.post(appeal_url, {"reason": GROUNDS}).status_code == 302
    assert not Appeal.objects.exists()
    login(client, agency_user)
    client.cookies["django_language"] = "en"  # the refusal is read in English: pages show one language
    assert "at least 10" in client.post(appeal_url, {"reason": "不服"}, follow=True).content.decode()
    assert not Appeal.objects.exists()
    assert client.post(appeal_url, {"reason": GROUNDS}).status_code == 302
    assert Appeal.objects.get().review == failed


def test_review_appeals_share_the_regulators_appeal_queue(client, failed, agency_user, covering_regulator,
                                                          other_department_regulator):
    appeal = reviews.file_review_appeal(review=failed, by=agency_user, reason=GROUNDS)
    second = member_of(covering_regulator.memberships.get().organisation)
    assert failed.project.code not in login(client, other_department_regulator).get(
        "/credit/regulator/appeals/").content.decode()
    body = login(client, second).get("/credit/regulator/appeals/").content.decode()
    assert failed.project.code in body and "报告复审" in body and GROUNDS in body
    assert "报告复审：不合格" in client.get("/credit/regulator/appeals/", {"format": "csv"}).content.decode("utf-8-sig")
    assert client.post(f"/credit/regulator/appeals/{appeal.pk}/decide/",
                       {"decision": "uphold", "note": "经复核，报告数据无误。"}).status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "upheld"


def test_storefront_shows_owner_mean_and_review_results(client, project, agency, covering_regulator, agency_user,
                                                        owner_org, django_assert_max_num_queries,
                                                        django_capture_on_commit_callbacks):
    today = workdays.today()
    made = []
    for outcome in ("pass", "pass", "fail"):
        r = reviews.open_review(project=ProjectFactory(owner=owner_org), agency=agency, accepted_on=today)
        made.append(record(r, covering_regulator, outcome, capture=django_capture_on_commit_callbacks))
    url = f"/agencies/s/{agency.uscc}/"
    with django_assert_max_num_queries(5):
        body = client.get(url).content.decode()
    assert "业主评价" in body and "合格 2 · 基本合格 0 · 不合格 1" in body
    second = member_of(covering_regulator.memberships.get().organisation)
    appeal = reviews.file_review_appeal(review=made[2], by=agency_user, reason=GROUNDS)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=second, upheld=True, note="经复核，报告数据无误。")
    assert "合格 2 · 基本合格 0 · 不合格 0" in client.get(url).content.decode()


def test_storefront_without_reviews(client, agency):
    body = client.get(f"/agencies/s/{agency.uscc}/").content.decode()
    assert "暂无复审" in body


def test_a_stored_policy_without_the_review_codes_gets_a_version_with_them():
    import importlib

    from django.apps import apps

    from marketplace.models import PolicyVersion

    migration = importlib.import_module("ratings.migrations.0003_reviews_and_public_complaints")
    latest = PolicyVersion.objects.order_by("-version").first()
    old = {k: v for k, v in latest.data["credit_deductions"].items() if not k.startswith("review_")}
    PolicyVersion.objects.create(version=latest.version + 1, data={**latest.data, "credit_deductions": old},
                                 note="before report reviews")
    migration.add_review_deductions(apps, None)
    policy = current_policy()
    assert policy.version == latest.version + 2
    assert (policy["credit_deductions"]["review_basic"], policy["credit_deductions"]["review_fail"]) == (2, 5)
    migration.add_review_deductions(apps, None)  # nothing more to add
    assert current_policy().version == policy.version
