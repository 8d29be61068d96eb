"""Monthly and quarterly bulletins: figures from the marketplace, published once per period and scope."""

import datetime as dt
from decimal import Decimal

import pytest

from cms.bulletin_models import BulletinPage
from cms.bulletins import bar_chart, publish_due
from marketplace.models import Department, Region
from marketplace.policy import Policy, default_policy
from oversight.bulletins import Period, Scope, due_periods, figures
from ratings.models import Rating
from tests.oversight.planting import agency, owner, round_

pytestmark = pytest.mark.django_db
MAY = Period("month", dt.date(2026, 5, 1), dt.date(2026, 6, 1))


def test_due_periods_are_the_last_complete_month_and_quarter():
    month, quarter = due_periods(dt.date(2026, 7, 3))
    assert (month.start, month.end, month.label) == (dt.date(2026, 6, 1), dt.date(2026, 7, 1), "2026年6月")
    assert (quarter.start, quarter.end, quarter.label) == (dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026年第2季度")
    month, quarter = due_periods(dt.date(2026, 1, 15))
    assert month.key == "2025-12" and quarter.key == "2025-Q4"


def test_bar_chart_escapes_labels_and_scales_bars():
    svg = bar_chart("标题", [("<b>甲</b>", 2), ("乙", 1)])
    assert svg.startswith("<svg") and "<b>" not in svg and "&lt;b&gt;" in svg and "<script" not in svg
    assert bar_chart("空", []) == ""


@pytest.fixture
def may_data():
    o, good, poor = owner(), agency(name="嘉兴优质测绘有限公司"), agency(name="嘉兴一般测绘有限公司")
    for i in range(3):
        p = round_(owner=o, agencies=[good, agency()], method="lowest", quotes=["80000", "90000"],
                   day=dt.date(2026, 5, 10 + i))
        Rating.objects.create(project=p, agency=good, owner=o, accepted_on=dt.date(2026, 5, 10),
                              due_on=dt.date(2026, 5, 24), result="满意", mean=Decimal("4.80"),
                              rated_on=dt.date(2026, 5, 12))
    p = round_(owner=o, agencies=[poor, agency()], method="draw", day=dt.date(2026, 5, 20))
    Rating.objects.create(project=p, agency=poor, owner=o, accepted_on=dt.date(2026, 5, 21), due_on=dt.date(2026, 6, 4),
                          result="基本满意", mean=Decimal("3.20"), rated_on=dt.date(2026, 5, 25))
    return good, poor


def test_figures_by_department_with_rankings_above_the_minimum_sample(may_data):
    good, poor = may_data
    survey = Scope(department=Department.objects.get(service_types__code="ZR01"))
    data = figures(MAY, survey, policy=default_policy())
    assert data["postings"] == {"lowest": 3, "draw": 1}
    assert data["by_method"]["lowest"] == {"awards": 3, "amount": "240000.00"}
    assert data["price_to_ceiling"] == pytest.approx(0.8)
    assert data["ratings"] == 4 and data["satisfied_rate"] == 0.75
    assert [r["uscc"] for r in data["rankings"]["top"]] == [good.uscc]  # poor has 1 rating < 3
    everyone = figures(MAY, survey, policy=Policy(version=9, values={"bulletin_rank_min_sample": 1,
                                                                      "bulletin_rank_size": 1}))
    assert [r["uscc"] for r in everyone["rankings"]["top"]] == [good.uscc]
    assert [r["uscc"] for r in everyone["rankings"]["bottom"]] == [poor.uscc]
    other = Scope(department=Department.objects.exclude(service_types__code="ZR01").first())
    assert figures(MAY, other, policy=default_policy())["postings"] == {}


def test_bulletins_are_published_once_with_chart_and_spreadsheet(may_data, client):
    made = publish_due(today=dt.date(2026, 6, 2))
    assert made == BulletinPage.objects.count() > 0
    assert publish_due(today=dt.date(2026, 6, 3)) == 0  # idempotent
    page = BulletinPage.objects.get(period_key="2026-05", scope_label=Region.objects.get(code="330482").name)
    assert page.live and page.title.endswith("中介服务月简报")
    html = client.get(page.url).content.decode()
    assert "<svg" in html and "嘉兴优质测绘有限公司" in html and "lowest" not in html and "竞价选取" in html
    assert page.spreadsheet.file.read()[:2] == b"PK"
    assert BulletinPage.objects.filter(period_kind="quarter", period_key="2026-Q1").exists()
