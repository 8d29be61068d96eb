"""Marketplace events publish and withdraw notices through Wagtail revisions, idempotently."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from cms.models import NoticeKind, NoticePage
from cms.publishing import WITHDRAWN_ACTION
from ratings.models import Sanction
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def notice_for(project, kind=NoticeKind.POSTING):
    return NoticePage.objects.get(source_key=f"{kind}:projects.project:{project.pk}")


def test_published_posting_appears_in_list_page_and_feeds(tree, client, record_event, published_project):
    project = published_project(title="平湖市新埭镇地形测绘服务", ceiling=Decimal("88000.00"))
    record_event("projects.published", project)

    notice = notice_for(project)
    assert notice.live and notice.kind == NoticeKind.POSTING
    assert notice.facts["code"] == project.code
    assert notice.facts["ceiling"] == "88000.00"
    assert notice.region_id == project.region_id and notice.service_type_id == project.service_type_id
    assert notice.selection_method == "draw"
    assert notice.revisions.count() == 1 and notice.live_revision_id == notice.latest_revision_id

    listing = client.get(reverse("cms:notice_list")).content.decode()
    assert "平湖市新埭镇地形测绘服务 采购公告" in listing
    index = client.get(notice.get_parent().url).content.decode()
    assert notice.url in index
    page = client.get(notice.url)
    assert page.status_code == 200 and "¥88,000.00" in page.content.decode()  # the one money format
    rss = client.get(reverse("cms:feed_rss", args=["posting"]))
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "平湖市新埭镇地形测绘服务 采购公告" in rss.content.decode()
    atom = client.get(reverse("cms:feed_atom", args=["all"]))
    assert "平湖市新埭镇地形测绘服务 采购公告" in atom.content.decode()


def test_replaying_the_event_does_not_duplicate(tree, record_event, published_project):
    project = published_project()
    entry = record_event("projects.published", project)
    from cms import subscribers as events

    events.on_posting(entry)  # replay the very same entry
    record_event("projects.published", project)  # and a second identical event
    assert NoticePage.objects.filter(object_id=str(project.pk)).count() == 1
    assert notice_for(project).revisions.count() == 1


def test_revised_posting_updates_facts_through_a_new_revision(tree, record_event, published_project):
    project = published_project(ceiling=Decimal("100000.00"))
    record_event("projects.published", project)
    project.ceiling = Decimal("90000.00")
    project.save(update_fields=["ceiling"])
    record_event("projects.revised", project, reason="调整最高限价")

    notice = notice_for(project)
    assert notice.facts["ceiling"] == "90000.00"
    assert notice.facts["revision_reason"] == "调整最高限价"
    assert notice.revisions.count() == 2 and notice.live
    assert notice.source_action == "projects.revised"


def test_cancelling_withdraws_the_posting_with_its_reason(tree, client, record_event, published_project):
    project = published_project(title="某水利工程测绘")
    record_event("projects.published", project)
    url = notice_for(project).url
    assert client.get(url).status_code == 200

    record_event("projects.cancelled", project, reason="业主撤销需求")

    notice = notice_for(project)
    assert not notice.live
    assert notice.withdrawn_at is not None and notice.withdrawn_reason == "业主撤销需求"
    assert notice.get_admin_display_title().startswith("[已撤回]")
    assert PageLogEntry.objects.filter(page=notice, action=WITHDRAWN_ACTION, data__reason="业主撤销需求").exists()
    assert PageLogEntry.objects.filter(page=notice, action="wagtail.unpublish").exists()
    assert client.get(url).status_code == 404
    assert "某水利工程测绘" not in client.get(reverse("cms:notice_list")).content.decode()
    assert "某水利工程测绘" not in client.get(reverse("cms:feed_rss", args=["posting"])).content.decode()
    # the withdrawal is itself recorded in the notice's latest revision (editors open that)
    assert notice.get_latest_revision_as_object().withdrawn_reason == "业主撤销需求"


def test_withdrawing_twice_and_withdrawing_nothing_are_harmless(tree, record_event, published_project):
    project = published_project()
    record_event("projects.cancelled", project, reason="无公告")  # nothing published yet
    assert not NoticePage.objects.exists()
    record_event("projects.published", project)
    record_event("projects.cancelled", project, reason="第一次")
    record_event("projects.cancelled", project, reason="第二次")
    assert notice_for(project).withdrawn_reason == "第一次"


def test_event_after_undo_republishes_the_same_notice(tree, record_event, published_project):
    project = published_project()
    record_event("projects.published", project)
    record_event("projects.cancelled", project, reason="误操作")
    record_event("projects.published", project)
    notice = notice_for(project)
    assert notice.live and notice.withdrawn_at is None and notice.withdrawn_reason == ""
    assert NoticePage.objects.count() == 1


def test_result_notice_carries_the_draw_record(tree, client, record_event, published_project):
    agency = AgencyFactory(name="嘉兴精测测绘有限公司")
    project = published_project(status="publicity", awarded_price=Decimal("76000.00"))
    draw = {"seed": "9f2c", "candidates": ["甲公司", "嘉兴精测测绘有限公司"], "selected": "嘉兴精测测绘有限公司"}
    record_event("projects.result_published", project, data={"agency": agency.pk, "draw_record": draw,
                                                             "price": "76000.00"})

    notice = notice_for(project, NoticeKind.RESULT)
    assert notice.live and notice.facts["draw"] == draw
    assert notice.facts["agency"] == "嘉兴精测测绘有限公司" and notice.facts["awarded_price"] == "76000.00"
    html = client.get(notice.url).content.decode()
    assert "抽取记录" in html and "9f2c" in html and "候选机构" in html

    record_event("projects.result_withdrawn", project, reason="异议成立，重新选取")
    notice = notice_for(project, NoticeKind.RESULT)
    assert not notice.live and notice.withdrawn_reason == "异议成立，重新选取"


def test_contract_notice(tree, record_event, published_project):
    agency = AgencyFactory()
    project = published_project(status="contracting", awarded_price=Decimal("60000.00"))
    record_event("projects.contract_uploaded", project, data={"agency": agency.pk, "signed_on": "2026-11-20"})
    notice = NoticePage.objects.get(kind=NoticeKind.CONTRACT)
    assert notice.live and notice.facts["signed_on"] == "2026-11-20" and notice.facts["agency"] == agency.name
    assert notice.title.endswith("合同公告")


def test_sanction_publishes_and_lifting_withdraws_a_credit_notice(tree, client, record_event):
    agency = AgencyFactory(name="嘉兴某测绘公司")
    sanction = Sanction.objects.create(agency=agency, kind=Sanction.Kind.BLACKLIST, starts_on="2026-11-01",
                                       ends_on="2029-10-31", cause="提供虚假材料")
    data = {"agency": agency.pk, "uscc": agency.uscc, "kind": "blacklist", "starts_on": "2026-11-01",
            "ends_on": "2029-10-31"}
    record_event("ratings.sanction_imposed", sanction, data=data, reason="提供虚假材料")
    notice = NoticePage.objects.get(kind=NoticeKind.CREDIT)
    assert notice.live and "嘉兴某测绘公司" in notice.title and "黑名单" in notice.title
    assert notice.facts["ends_on"] == "2029-10-31" and notice.region_id == agency.region_id
    assert "嘉兴某测绘公司" in client.get(reverse("cms:feed_rss", args=["credit"])).content.decode()

    record_event("ratings.sanction_lifted", sanction, data={"agency": agency.pk, "uscc": agency.uscc,
                                                            "kind": "blacklist"}, reason="信用修复")
    notice.refresh_from_db()
    assert not notice.live and notice.withdrawn_reason == "信用修复"


def test_a_failing_notice_never_breaks_the_marketplace_write(tree, record_event, published_project, monkeypatch):
    from cms import publishing

    def boom(**kwargs):
        raise RuntimeError("cms down")

    monkeypatch.setattr(publishing, "publish_notice", boom)
    project = published_project()
    entry = record_event("projects.published", project)
    assert entry.pk and not NoticePage.objects.exists()


def test_revision_keeps_an_editors_unpublished_draft_private_and_intact(tree, record_event, published_project):
    project = published_project(ceiling=Decimal("100000.00"))
    record_event("projects.published", project)
    draft = notice_for(project).get_latest_revision_as_object()
    draft.editor_note = "<p>草稿：尚未审核的说明</p>"
    draft.save_revision(user=UserFactory())  # an editor saved, did not publish

    project.ceiling = Decimal("95000.00")
    project.save(update_fields=["ceiling"])
    record_event("projects.revised", project)

    notice = notice_for(project)
    assert notice.facts["ceiling"] == "95000.00" and "草稿" not in notice.editor_note  # live: new facts only
    latest = notice.get_latest_revision_as_object()
    assert "草稿" in latest.editor_note and latest.facts["ceiling"] == "95000.00"  # draft kept, facts fresh
    assert notice.has_unpublished_changes


def test_withdraw_and_republish_keep_an_editors_draft_out_of_public_view(tree, client, record_event,
                                                                          published_project):
    project = published_project()
    record_event("projects.published", project)
    draft = notice_for(project).get_latest_revision_as_object()
    draft.editor_note = "<p>草稿：尚未审核</p>"
    draft.save_revision(user=UserFactory())

    record_event("projects.cancelled", project, reason="暂缓")
    notice = notice_for(project)
    assert "草稿" not in notice.editor_note  # the row (live content) never took the draft
    assert "草稿" in notice.get_latest_revision_as_object().editor_note
    assert notice.get_latest_revision_as_object().withdrawn_reason == "暂缓"

    record_event("projects.published", project)
    notice = notice_for(project)
    assert notice.live and "草稿" not in client.get(notice.url).content.decode()
    latest = notice.get_latest_revision_as_object()
    assert "草稿" in latest.editor_note and latest.withdrawn_at is None


def test_a_late_older_event_does_not_undo_a_newer_one(tree, record_event, published_project):
    """Out-of-order delivery: the cancellation (newer) wins over a re-delivered publication (older)."""
    from cms import subscribers as events

    project = published_project()
    published = record_event("projects.published", project)
    record_event("projects.cancelled", project, reason="取消")
    events.on_posting(published)  # the old entry arrives again
    notice = notice_for(project)
    assert not notice.live and notice.withdrawn_reason == "取消"
