"""Editors add explanatory text but cannot change a notice's marketplace facts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from cms.models import NoticePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(tree, record_event, published_project):
    project = published_project(title="嘉善县道路测绘项目")
    record_event("projects.published", project)
    return NoticePage.objects.get(object_id=str(project.pk))


@pytest.fixture
def editor_client(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def edit_form_data(client, page):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")  # the StreamField widget's JS posts this; the HTML has no input for it
    return url, data, response


def test_edit_form_shows_facts_read_only(notice, editor_client):
    _, data, response = edit_form_data(editor_client, notice)
    html = response.content.decode()
    assert "交易信息（只读）" in html and notice.facts["code"] in html
    form_class = NoticePage.get_edit_handler().get_form_class()
    form = form_class(instance=notice, for_user=None)
    for name in ("title", "published_on", "region", "service_type", "selection_method"):
        assert form.fields[name].disabled, name
    assert "facts" not in form.fields and "source_key" not in form.fields


def test_editor_can_add_a_note_and_publish_it(notice, editor_client):
    url, data, _ = edit_form_data(editor_client, notice)
    data["editor_note"] = rich_text("<p>报名时请携带测绘资质证书原件。</p>")
    data["action-publish"] = "action-publish"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = NoticePage.objects.get(pk=notice.pk)
    assert "测绘资质证书原件" in fresh.editor_note
    assert fresh.title == notice.title and fresh.facts == notice.facts and fresh.live


def test_editor_posting_changed_facts_is_refused(notice, editor_client, client):
    url, data, _ = edit_form_data(editor_client, notice)
    data["title"] = "篡改后的标题"
    data["region"] = "330402"
    data["published_on"] = "2020-01-01"
    data["editor_note"] = rich_text("<p>顺便改一下说明</p>")
    data["action-publish"] = "action-publish"
    response = editor_client.post(url, data, follow=True)
    assert "不能修改" in response.content.decode()
    fresh = NoticePage.objects.get(pk=notice.pk)
    assert fresh.title == notice.title and fresh.region_id == notice.region_id
    assert fresh.published_on == notice.published_on and "顺便" not in fresh.editor_note
    assert fresh.revisions.count() == notice.revisions.count()


def test_disabled_form_fields_ignore_tampered_values(notice):
    """Second line of defence: even without the hook, the form keeps the marketplace values."""
    form_class = NoticePage.get_edit_handler().get_form_class()
    page = notice.get_latest_revision_as_object()
    form = form_class({"title": "篡改", "slug": page.slug, "region": "330402", "selection_method": "lowest",
                       "published_on": "2020-01-01", "attachments-TOTAL_FORMS": "0",
                       "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
                       "attachments-MAX_NUM_FORMS": "1000", "body-count": "0"},
                      instance=page, parent_page=page.get_parent(), for_user=None)
    form.is_valid()
    assert form.cleaned_data["title"] == notice.title
    assert form.cleaned_data["region"].pk == notice.region_id
    assert form.cleaned_data["selection_method"] == "draw"


@pytest.mark.parametrize("field, value", [
    ("title", "篡改后的标题"),
    ("facts", {"ceiling": "1.00"}),
    ("selection_method", "lowest"),
    ("object_id", "999"),
])
def test_model_refuses_fact_changes_outside_the_marketplace(notice, field, value):
    """Third line: any save_revision (revert, shell, API) that changes a fact raises."""
    page = notice.get_latest_revision_as_object()
    setattr(page, field, value)
    with pytest.raises(ValidationError, match="不能修改"):
        page.save_revision()
    assert NoticePage.objects.get(pk=notice.pk).revisions.count() == 1


def test_manual_notice_is_fully_editable(tree):
    from cms.models import NoticeIndexPage

    index = NoticeIndexPage.objects.get(kind="news")
    page = NoticePage(title="关于系统升级的通知", slug="upgrade")
    index.add_child(instance=page)
    page.title = "关于系统升级维护的通知"
    page.save_revision().publish()
    assert NoticePage.objects.get(pk=page.pk).title == "关于系统升级维护的通知"
    assert NoticePage.objects.get(pk=page.pk).kind == "news"
    form_class = NoticePage.get_edit_handler().get_form_class()
    assert not form_class(instance=page, for_user=None).fields["title"].disabled


def test_withdrawn_notice_cannot_be_republished_by_an_editor(notice, editor_client, record_event):
    from projects.models import Project

    record_event("projects.cancelled", Project.objects.get(pk=notice.object_id), reason="项目取消")
    url, data, response = edit_form_data(editor_client, NoticePage.objects.get(pk=notice.pk))
    assert "已撤回" in response.content.decode() and "项目取消" in response.content.decode()
    data["action-publish"] = "action-publish"
    response = editor_client.post(url, data, follow=True)
    assert "cannot be republished" in response.content.decode()
    assert not NoticePage.objects.get(pk=notice.pk).live


@pytest.mark.parametrize("who", ["anonymous", "plain"])
def test_admin_edit_refuses_non_editors(notice, client, who):
    if who == "plain":
        client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("wagtailadmin_pages:edit", args=[notice.pk])
    response = client.post(url, {"title": "x"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"] or response["Location"].startswith("/admin")
    assert NoticePage.objects.get(pk=notice.pk).title == notice.title


def test_editor_can_still_annotate_a_withdrawn_notice(notice, editor_client, record_event):
    from projects.models import Project

    record_event("projects.cancelled", Project.objects.get(pk=notice.object_id), reason="项目取消")
    url, data, _ = edit_form_data(editor_client, NoticePage.objects.get(pk=notice.pk))
    data["editor_note"] = rich_text("<p>因预算调整取消，后续将重新发布。</p>")
    response = editor_client.post(url, data)  # save draft
    assert response.status_code == 302, response.content.decode()[:500]
    fresh = NoticePage.objects.get(pk=notice.pk)
    assert "预算调整" in fresh.get_latest_revision_as_object().editor_note
    assert not fresh.live and fresh.withdrawn_reason == "项目取消"


def test_bulk_publish_cannot_bring_back_a_withdrawn_notice(notice, editor_client, record_event):
    from projects.models import Project

    record_event("projects.cancelled", Project.objects.get(pk=notice.object_id), reason="项目取消")
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={notice.pk}"
    response = editor_client.post(url, {"include_descendants": ""}, follow=True)
    assert "cannot be republished" in response.content.decode()
    assert not NoticePage.objects.get(pk=notice.pk).live


def test_editor_creates_a_news_notice_in_the_admin(tree, editor_client, client):
    from cms.models import NoticeIndexPage

    index = NoticeIndexPage.objects.get(kind="news")
    url = reverse("wagtailadmin_pages:add", args=["cms", "noticepage", index.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")
    data.update({"title": "关于春节期间系统维护的通知", "slug": "spring-maintenance", "published_on": "2026-11-20",
                 "editor_note": rich_text("<p>维护期间暂停报名。</p>"), "action-publish": "action-publish"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1000]
    page = NoticePage.objects.get(slug="spring-maintenance")
    assert page.live and page.kind == "news" and page.source_key is None
    assert "关于春节期间系统维护的通知" in client.get(reverse("cms:notice_list"), {"kind": "news"}).content.decode()


def test_a_chinese_title_gets_a_short_ascii_slug(tree, editor_client, client):
    from django.utils import timezone

    from cms.models import NoticeIndexPage

    index = NoticeIndexPage.objects.get(kind="news")
    url = reverse("wagtailadmin_pages:add", args=["cms", "noticepage", index.pk])
    stem = timezone.localdate().strftime("%Y%m%d")
    for n in (1, 2):
        data = querydict_from_html(editor_client.get(url).content.decode(), form_id="page-edit-form")
        data.setdefault("body-count", "0")
        data.update({"title": "关于春节期间系统维护的通知", "slug": "关于春节期间系统维护的通知", "published_on": "2026-11-20",
                     "action-publish": "action-publish"})
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:1000]
        page = NoticePage.objects.latest("id")
        assert page.slug == f"{stem}-{n}" and "%" not in page.url
        assert client.get(page.url).status_code == 200
    # an existing notice keeps its slug (and URL) when edited
    url, data, _ = edit_form_data(editor_client, page)
    data["slug"] = "通知"
    data["action-publish"] = "action-publish"
    editor_client.post(url, data)
    assert NoticePage.objects.get(pk=page.pk).slug == "通知"
