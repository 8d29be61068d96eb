"""Public lists (filters, pagination, fixed query count), home page figures, feeds, sitemap, tree."""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import CreditEvent
from cms.figures import key_figures
from cms.models import HomePage, NoticeIndexPage, NoticeKind, NoticePage
from cms.publishing import publish_notice
from tests.factories import AgencyFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def make_notice(n, *, kind="posting", region="330482", service="ZR01", method="draw", on=None, title=None):
    return publish_notice(kind=kind, object_type="projects.project", object_id=10_000 + n,
                          source_action="projects.published", title=title or f"测试公告{n}",
                          facts={"code": f"T-{n}"}, region_id=region, service_type_id=service, method=method,
                          published_on=on or dt.date(2026, 11, 2))


def titles(response):
    return [n.title for n in response.context["notices"]] if response.context else []


def listed(client, **params):
    html = client.get(reverse("cms:notice_list"), params).content.decode()
    return {t for t in ("甲", "乙", "丙", "丁") if f"公告{t}" in html}


def test_home_page_is_the_site_root(tree, client):
    assert reverse("home") == "/"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "入驻中介机构" in html and "采购公告" in html and "信用公示" in html
    assert HomePage.objects.count() == 1
    assert set(NoticeIndexPage.objects.values_list("kind", flat=True)) == set(NoticeKind.values)
    for index in NoticeIndexPage.objects.all():
        assert client.get(index.url).status_code == 200


def test_page_tree_is_idempotent(tree):
    from cms.tree import ensure_page_tree

    assert ensure_page_tree().pk == tree.pk
    assert NoticeIndexPage.objects.count() == len(NoticeKind.values)


def test_filters_by_kind_region_service_method_and_date(tree, client):
    make_notice(1, title="公告甲", on=dt.date(2026, 11, 2))
    make_notice(2, title="公告乙", kind="result", region="330402", on=dt.date(2026, 11, 10))
    make_notice(3, title="公告丙", service="HB01", method="lowest", on=dt.date(2026, 10, 5))
    make_notice(4, title="公告丁", kind="news", region="330402", service="HB01", on=dt.date(2026, 9, 1))
    assert listed(client) == {"甲", "乙", "丙", "丁"}
    assert listed(client, kind="result") == {"乙"}
    assert listed(client, region="330402") == {"乙", "丁"}
    assert listed(client, service_type="HB01") == {"丙", "丁"}
    assert listed(client, method="lowest") == {"丙"}
    assert listed(client, date_from="2026-10-01", date_to="2026-10-31") == {"丙"}
    assert listed(client, date_from="2026-11-01") == {"甲", "乙"}
    assert listed(client, region="330402", kind="news") == {"丁"}
    index = NoticeIndexPage.objects.get(kind="posting")
    html = client.get(index.url, {"method": "lowest"}).content.decode()
    assert "公告丙" in html and "公告甲" not in html


def test_bad_filter_values_are_reported_and_ignored(tree, client):
    make_notice(1, title="公告甲")
    response = client.get(reverse("cms:notice_list"), {"date_from": "2026-13-40", "region": "999999"})
    html = response.content.decode()
    assert "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD" in html
    assert "unknown region" in html
    assert "公告甲" in html  # the rest of the list still shows
    html = client.get(reverse("cms:notice_list"), {"date_from": "2026-12-01", "date_to": "2026-11-01"}).content
    assert "end date is before start date" in html.decode()


def test_pagination(tree, client):
    for n in range(25):
        make_notice(n, on=dt.date(2026, 11, 1) + dt.timedelta(days=n % 20))
    first = client.get(reverse("cms:notice_list"))
    second = client.get(reverse("cms:notice_list"), {"page": 2, "kind": "posting"})
    assert len(first.context["notices"]) == 20
    assert len(second.context["notices"]) == 5
    assert "第 2 / 2 页" in second.content.decode()
    assert "kind=posting&amp;page=1" in second.content.decode()


@pytest.mark.parametrize("url_name", ["cms:notice_list", "index"])
def test_list_query_count_does_not_grow_with_notices(tree, client, django_assert_max_num_queries, url_name):
    from django.core.cache import cache

    def url():
        return reverse("cms:notice_list") if url_name == "cms:notice_list" else \
            NoticeIndexPage.objects.get(kind="posting").url

    for n in range(3):
        make_notice(n, region="330402" if n % 2 else "330482", service="HB01" if n % 2 else "ZR01")
    target = url()
    cache.clear()
    with django_assert_max_num_queries(12) as few:
        client.get(target)
    for n in range(3, 30):
        make_notice(n, region="330402" if n % 2 else "330482", service="HB01" if n % 2 else "ZR01")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        client.get(target)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_home_page_query_count_is_fixed(tree, client, django_assert_max_num_queries):
    from django.core.cache import cache

    make_notice(1)
    cache.clear()
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    for n in range(2, 40):
        make_notice(n, kind=NoticeKind.values[n % 6])
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_key_figures_are_computed_from_marketplace_data(tree, client, record_event):
    today = timezone.localdate()
    AgencyFactory.create_batch(3)
    applicant = AgencyFactory(status="submitted")
    ProjectFactory.create_batch(2, status="published")
    awarded = ProjectFactory(status="publicity", ceiling=Decimal("100000.00"), awarded_price=Decimal("80000.00"))
    ProjectFactory(status="completed", ceiling=Decimal("50000.00"), awarded_price=Decimal("45000.00"))
    late = ProjectFactory(status="completed", ceiling=Decimal("50000.00"), awarded_price=Decimal("40000.00"))
    ProjectFactory(status="cancelled", ceiling=Decimal("50000.00"), awarded_price=Decimal("1.00"))
    record_event("projects.result_published", awarded, data={"agency": applicant.pk})
    record_event("projects.result_published", late, data={"agency": applicant.pk},
                 now=timezone.now() - dt.timedelta(days=62))
    agency = AgencyFactory()
    CreditEvent.objects.create(agency=agency, code="overdue_minor", date=today, cause="超时 3 个工作日",
                               cause_type="projects.project", cause_id=str(late.pk))
    CreditEvent.objects.create(agency=agency, code="overdue_major", date=today, cause="已撤销的超时",
                               cause_type="projects.project", cause_id="999999", state="voided")

    figures = key_figures(today=today)
    assert figures.admitted_agencies == 4
    assert figures.open_postings == 2
    assert figures.awards_this_month == 1
    assert figures.awarded_count == 3
    assert figures.average_awarded_price == Decimal("55000.00")
    assert figures.price_to_ceiling == Decimal("82.5")  # 165000 / 200000
    assert figures.completed == 2 and figures.on_time_rate == Decimal("50.0")
    html = client.get("/").content.decode()
    assert "82.5" in html and "50.0" in html


def test_key_figures_with_no_data(tree):
    figures = key_figures(today=dt.date(2026, 11, 23))
    assert figures.price_to_ceiling is None and figures.on_time_rate is None and figures.awards_this_month == 0


def test_unknown_feed_kind_is_404(tree, client):
    assert client.get(reverse("cms:feed_rss", args=["nope"])).status_code == 404
    assert client.get(reverse("cms:feed_atom", args=["posting"])).status_code == 200


def test_sitemap_lists_live_notices_only(tree, client):
    live = make_notice(1)
    gone = make_notice(2)
    from cms.publishing import withdraw_notice

    withdraw_notice(kind="posting", object_type="projects.project", object_id=gone.object_id, reason="撤回")
    agency = AgencyFactory()
    project = ProjectFactory(status="published", published_at=timezone.now())
    draft = ProjectFactory(status="draft")
    xml = client.get(reverse("cms:sitemap")).content.decode()
    assert live.url in xml and gone.url not in xml
    assert reverse("agencies:storefront", args=[agency.uscc]) in xml
    assert reverse("projects:detail", args=[project.code]) in xml
    assert reverse("projects:detail", args=[draft.code]) not in xml


def test_notice_page_renders_editor_text_and_attachments(tree, client):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from cms.models import NoticeAttachment

    page = make_notice(1, title="公告甲")
    doc = Document.objects.create(title="招标文件", file=ContentFile(b"%PDF-1.4", name="tender.pdf"))
    page = NoticePage.objects.get(pk=page.pk)
    page.editor_note = "<p>请注意报名时间。</p>"
    page.attachments.add(NoticeAttachment(document=doc, title="采购文件"))
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "请注意报名时间" in html and "采购文件" in html and "T-1" in html
    assert NoticePage.objects.get(pk=page.pk).facts == {"code": "T-1"}


def test_editor_sees_the_wagtail_userbar_on_a_notice(tree, client):
    from tests.factories import UserFactory

    notice = make_notice(1)
    client.force_login(UserFactory(is_superuser=True, is_staff=True),
                       backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(notice.url).content.decode()
    assert "wagtail-userbar" in html or "w-userbar" in html
    assert "wagtail-userbar" not in Client().get(notice.url).content.decode()


XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("kind", ["all", "posting"])
@pytest.mark.parametrize("view", ["cms:feed_rss", "cms:feed_atom"])
def test_feeds_escape_every_value_joined_into_their_html(tree, client, record_event, published_project, kind, view):
    project = published_project(title=f"测绘{XSS}", scope=f"范围{XSS}")
    record_event("projects.published", project)
    project.scope = f"新范围{XSS}"
    project.save(update_fields=["scope"])
    record_event("projects.revised", project, reason=f"更正{XSS}")
    root = ElementTree.fromstring(client.get(reverse(view, args=[kind])).content)
    texts = {el.tag.split("}")[-1]: el.text or "" for el in root.iter()}
    html_parts = [el.text or "" for el in root.iter() if el.tag.split("}")[-1] in ("description", "summary")]
    assert any("新范围" in part and "更正" in part for part in html_parts)
    for part in html_parts:  # the HTML a reader renders: values inside it are escaped, never live tags
        assert "<img" not in part
    assert "测绘" in texts["title"]  # titles are plain text (XML-escaped once), so the payload shows as typed
