"""End to end with the real projects services: the events they record drive the notices."""

import datetime as dt

import pytest
from django.urls import reverse

from cms.models import NoticePage
from projects import services
from tests.projects.factories import AFTER, PUBLISH_AT, eligible_agency, make_published, register_all

pytestmark = pytest.mark.django_db


def notice(project, kind):
    return NoticePage.objects.get(source_key=f"{kind}:projects.project:{project.pk}")


def test_publish_revise_cancel_through_the_services(tree, client, owner_user, owner_org,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = make_published(owner_user, owner_org, title="平湖市新仓镇道路地形测绘")
    posting = notice(project, "posting")
    assert posting.live and posting.facts["code"] == project.code and posting.facts["ceiling"] == "100000.00"
    assert "平湖市新仓镇道路地形测绘" in client.get(reverse("cms:feed_rss", args=["posting"])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.revise(by=owner_user, project=project, changes={"ceiling": "120000"}, reason="预算调整",
                        now=PUBLISH_AT + dt.timedelta(hours=2))
    posting = notice(project, "posting")
    assert posting.facts["ceiling"] == "120000.00" and posting.facts["revision_reason"] == "预算调整"
    assert posting.revisions.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(by=owner_user, project=project, reason="需求变更", now=PUBLISH_AT + dt.timedelta(hours=3))
    posting = notice(project, "posting")
    assert not posting.live and posting.withdrawn_reason == "需求变更"
    assert "平湖市新仓镇道路地形测绘" not in client.get(reverse("cms:notice_list")).content.decode()


def test_draw_result_notice_carries_the_services_draw_record(tree, client, owner_user, owner_org,
                                                            django_capture_on_commit_callbacks):
    agencies = [eligible_agency() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        project = make_published(owner_user, owner_org)
        register_all(project, agencies)
        project = services.select_provider(by=owner_user, project=project, now=AFTER)
        chosen = project.selected
        user = next(a.user for a in agencies if a.pk == chosen.agency_id)
        services.confirm_selection(by=user, registration=chosen, now=AFTER + dt.timedelta(hours=1))
    result = notice(project, "result")
    project.refresh_from_db()
    assert result.live and result.facts["draw"] == project.draw_record
    assert result.facts["agency"] == chosen.agency.name
    html = client.get(result.url).content.decode()
    assert "抽取记录" in html and project.draw_record["commitment"] in html
    assert reverse("projects:detail", args=[project.code]) in html
    assert reverse("agencies:storefront", args=[chosen.agency.uscc]) in html
