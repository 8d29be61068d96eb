"""Smaller formatting items of issue 16: one page per title (采购项目 at /projects/, 采购公告 at /postings/, each
pointing at the other), the storefront links to the credit explanation, the credit page shows its scoring
window as plain dates (no interval notation) and dates in the one format."""

import datetime as dt
import re

import pytest
from django.utils import translation

from agencies.credit import record_credit_event
from agencies.models import CreditEvent
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate("zh-hans")


def _title(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.parametrize(("language", "projects"), [("zh-hans", "采购项目"), ("en", "Projects")])
def test_projects_and_postings_have_distinct_titles_and_point_at_each_other(client, language, projects):
    from cms.tree import ensure_page_tree

    ensure_page_tree()
    client.cookies["django_language"] = language
    listing = client.get("/projects/").content.decode()
    notices = client.get("/postings/").content.decode()
    assert _title(listing) == projects and _title(notices) != projects
    if language == "zh-hans":
        assert _title(notices) == "采购公告"  # the CMS page keeps the notices' name
    assert 'id="projects-lead"' in listing and "kind=posting" in listing
    assert re.search(r'id="to-projects">.*?href="/projects/"', notices, re.S)
    nav = re.search(r'<nav class="site-nav".*?</nav>', listing, re.S).group(0)
    assert f'href="/projects/">{projects}</a>' in nav


def test_storefront_links_to_the_credit_explanation(client):
    agency = AgencyFactory()
    html = client.get(f"/agencies/s/{agency.uscc}/").content.decode()
    link = re.search(r'<a href="([^"]+)" id="credit-explained-link">', html).group(1)
    assert link == f"/credit/agencies/{agency.uscc}/#credit-explained"
    credit = client.get(link.split("#")[0]).content.decode()
    assert 'id="credit-explained"' in credit and "100 分为基础" in credit and "90 分及以上为 A 级" in credit


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_credit_page_dates_and_window_are_plain(client, language):
    agency = AgencyFactory()
    record_credit_event(agency=agency, code=CreditEvent.Code.EVAL_UNSAT, date=dt.date(2026, 3, 5), cause="测试扣分")
    client.cookies["django_language"] = language
    html = client.get(f"/credit/agencies/{agency.uscc}/", {"as_of": "2026-11-27"}).content.decode()
    assert "2026-03-05" in html  # the ledger line's date in the one format
    assert not re.search(r"\(\d{4}-\d{2}-\d{2}, \d{4}-\d{2}-\d{2}\]", html)  # no interval notation
    assert "2025-11-28" in html and "2026-11-27" in html  # the window: the day after its start, to as_of
    if language == "en":
        assert "scoring window 2025-11-28 to 2026-11-27" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_label_colons_follow_the_language(client, language):
    from django.utils import timezone

    from tests.factories import ProjectFactory

    agency = AgencyFactory()
    project = ProjectFactory(status="published", published_at=timezone.now(),
                             registration_deadline=timezone.now() + dt.timedelta(days=5))
    client.cookies["django_language"] = language
    for url in (f"/agencies/s/{agency.uscc}/", f"/projects/{project.code}/", f"/credit/agencies/{agency.uscc}/"):
        html = client.get(url).content.decode()
        body = html[html.index("<main"):]
        if language == "en":
            assert not re.search(r"[A-Za-z)]\s*：", body), (url, re.findall(r".{30}[A-Za-z)]\s*：.{10}", body))
        else:
            assert not re.search(r"[\u4e00-\u9fff]: ", body), url


@pytest.mark.parametrize(("amount", "text"), [
    ("1300000", "报价不能高于最高价 ¥1,200,000.00 / quote above the ceiling of ¥1,200,000.00"),
    ("100", "报价不能低于最低价 ¥1,000.00 / quote below the floor of ¥1,000.00"),
])
def test_quote_refusals_name_amounts_in_the_money_format(amount, text):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from projects.selection import check_quote_band

    with pytest.raises(ValidationError) as refused:
        check_quote_band(Decimal(amount), floor=Decimal("1000"), ceiling=Decimal("1200000"))
    assert refused.value.messages == [text]
