"""Grade changes publish 信用公示 notices; a notice whose grade the ledger no longer bears out is withdrawn
(and republished if the ledger bears it out again); undoing a withdrawn change publishes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies import credit
from cms.models import NoticeKind, NoticePage
from marketplace import workdays
from marketplace.models import AuditEntry
from ratings import services
from ratings.recompute import recompute_all
from tests.factories import AgencyFactory, AgencyServiceFactory, ProjectFactory, member_of
from tests.ratings.conftest import scoped_regulator

WHY = "录入有误：该违规认定已被复查撤销。"


def grade_notices(agency):
    return list(NoticePage.objects.filter(kind=NoticeKind.CREDIT, object_type="agencies.agency",
                                          object_id__startswith=f"{agency.pk}-").order_by("pk"))


@pytest.fixture
def world(tree, owner_org):
    project = ProjectFactory(owner=owner_org)
    agency = AgencyFactory(name="嘉兴某测绘公司")
    AgencyServiceFactory(agency=agency, service_type=project.service_type)
    regulator = scoped_regulator(regions=["330482"], departments=[project.service_type.department])
    return {"agency": agency, "project": project, "regulator": regulator, "owner": member_of(owner_org)}


def violation(agency, cause_obj, date=None):
    return credit.record_credit_event(agency=agency, code="violation", date=date or workdays.today(), cause="违规",
                                      cause_obj=cause_obj)


def test_a_grade_change_publishes_a_notice_and_a_score_change_does_not(world, client, django_capture_on_commit_callbacks):
    agency = world["agency"]
    with django_capture_on_commit_callbacks(execute=True):
        violation(agency, world["project"])
    [notice] = grade_notices(agency)
    today = workdays.today().isoformat()
    assert notice.live and notice.title == "关于嘉兴某测绘公司的信用等级变更公示（A级→B级）"
    assert notice.facts == {"agency_name": "嘉兴某测绘公司", "uscc": agency.uscc, "grade_from": "A", "grade_to": "B",
                            "score": 80, "grade_date": today, "policy_version": 1,
                            "audit_entry": AuditEntry.objects.get(action="agencies.credit_updated").pk}
    assert notice.region_id == agency.region_id
    assert "嘉兴某测绘公司" in client.get(reverse("cms:feed_rss", args=["credit"])).content.decode()
    page = client.get(notice.url).content.decode()
    assert "原信用等级" in page and "grade_from" not in page
    with django_capture_on_commit_callbacks(execute=True):
        credit.record_credit_event(agency=agency, code="award_county", date=workdays.today(), cause="表彰",
                                   cause_obj=agency)
    assert grade_notices(agency) == [notice]


def test_voiding_the_cause_withdraws_the_notice_and_the_return_publishes_nothing(
        world, django_capture_on_commit_callbacks):
    agency = world["agency"]
    with django_capture_on_commit_callbacks(execute=True):
        line = violation(agency, world["project"])
    with django_capture_on_commit_callbacks(execute=True):
        credit.correct_credit_event(event=line, by=world["regulator"], reason=WHY)
    agency.refresh_from_db()
    assert agency.credit_grade == "A"
    [notice] = grade_notices(agency)
    assert not notice.live and notice.withdrawn_at and "不再是B级" in notice.withdrawn_reason
    # Replaying the whole log rebuilds the same state.
    out = io.StringIO()
    call_command("cms_replay", stdout=out)
    [again] = grade_notices(agency)
    assert again.pk == notice.pk and not again.live


def test_an_appeal_withdraws_the_notice_while_pending_and_a_rejection_republishes_it(
        world, django_capture_on_commit_callbacks):
    agency, owner = world["agency"], world["owner"]
    today = workdays.today()
    with django_capture_on_commit_callbacks(execute=True):
        violation(agency, world["project"])
    rating = services.open_rating(project=world["project"], agency=agency, accepted_on=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_rating(rating=rating, by=owner, scores=[3, 3, 3, 2, 3],
                               reason="交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。")
    first, second = grade_notices(agency)
    assert (first.facts["grade_to"], second.facts["grade_from"], second.facts["grade_to"]) == ("B", "B", "C")
    agency_user = member_of(agency.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.file_appeal(rating=rating, by=agency_user, reason="业主未按约定提供完整资料，延误不在我方。")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.live and not second.live and len(grade_notices(agency)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(appeal=appeal, by=world["regulator"], upheld=False, note="申诉理由不成立。")
    second.refresh_from_db()
    assert second.live and not second.withdrawn_at and len(grade_notices(agency)) == 2


def test_a_first_computation_of_bulk_loaded_rows_publishes_nothing(world, django_capture_on_commit_callbacks):
    agency = world["agency"]
    violation(agency, world["project"], date=dt.date(2025, 3, 10))  # no recomputation: as if bulk-loaded
    with django_capture_on_commit_callbacks(execute=True):
        recompute_all(as_of=dt.date(2025, 6, 30))
    agency.refresh_from_db()
    assert agency.credit_grade == "B" and grade_notices(agency) == []


def test_ageing_out_publishes_the_way_back_and_keeps_the_first_notice(world, django_capture_on_commit_callbacks):
    agency = world["agency"]
    recompute_all(as_of=dt.date(2025, 1, 31))
    violation(agency, world["project"], date=dt.date(2025, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        recompute_all(as_of=dt.date(2025, 6, 30))
    with django_capture_on_commit_callbacks(execute=True):
        recompute_all(as_of=dt.date(2026, 3, 31))
    down, up = grade_notices(agency)
    assert down.live and up.live
    assert (down.facts["grade_date"], down.facts["grade_to"]) == ("2025-06-30", "B")
    assert (up.facts["grade_date"], up.facts["grade_from"], up.facts["grade_to"]) == ("2026-03-31", "B", "A")
