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
from tests.oversight.planting import agency, at, owner, round_, service_types_of_distinct_departments

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


def _complaint(project, filed: dt.date, decided: dt.date | None = None, status="verified"):
    from ratings.models import Complaint

    return Complaint.objects.create(
        agency=project.selected.agency, project=project, source="owner", text="服务质量差", filed_on=filed,
        filed_at=at(filed, 9), respond_by=filed + dt.timedelta(days=20), decided_at=at(decided, 15) if decided else None,
        status=status if decided else "open")


@pytest.fixture
def complaints():
    """Mid-May 2026 (no holidays): 4, 10 and 1 working days from filing to decision in 测绘 (ZR01), 2 in another
    department; one still open; one filed in May but decided in June; one filed in April, decided in May."""
    o, other_type = owner(), service_types_of_distinct_departments(2)[1]
    survey = [round_(owner=o, agencies=[agency(), agency()], day=dt.date(2026, 5, 6)) for _ in range(2)]
    other = round_(owner=o, agencies=[agency(), agency()], day=dt.date(2026, 5, 6), service=other_type)
    _complaint(survey[0], dt.date(2026, 5, 11), dt.date(2026, 5, 15))  # Mon → Fri: 4
    _complaint(survey[0], dt.date(2026, 5, 11), dt.date(2026, 5, 25), status="dismissed")  # 10
    _complaint(survey[1], dt.date(2026, 5, 18), dt.date(2026, 5, 19))  # 1
    _complaint(survey[1], dt.date(2026, 5, 20))  # open
    _complaint(survey[1], dt.date(2026, 5, 28), dt.date(2026, 6, 2))  # decided in June
    _complaint(other, dt.date(2026, 5, 12), dt.date(2026, 5, 14))  # 2, other department
    _complaint(other, dt.date(2026, 4, 13), dt.date(2026, 4, 14))  # all in April: not in May
    return other_type


def test_complaints_and_working_days_to_decision_by_department_and_region(complaints):
    survey = Department.objects.get(service_types__code="ZR01")
    data = figures(MAY, Scope(department=survey), policy=default_policy())["complaints"]
    assert (data["filed"], data["answered"], data["verified"]) == (5, 3, 2)
    assert (data["median_wd"], data["mean_wd"]) == (4, 5.0)
    region = Region.objects.get(code="330482")
    assert data["by"] == "region" and data["groups"] == [
        {"label": region.name, "filed": 5, "decided": 3, "verified": 2, "median_wd": 4, "mean_wd": 5.0}]
    data = figures(MAY, Scope(region=region), policy=default_policy())["complaints"]
    assert (data["filed"], data["answered"], data["median_wd"], data["mean_wd"]) == (6, 4, 3.0, 4.2)
    assert data["by"] == "department" and {g["label"]: (g["filed"], g["decided"], g["mean_wd"]) for g in data["groups"]} \
        == {survey.name: (5, 3, 5.0), complaints.department.name: (1, 1, 2.0)}
    june = figures(Period("month", dt.date(2026, 6, 1), dt.date(2026, 7, 1)), Scope(region=region),
                   policy=default_policy())["complaints"]
    assert (june["filed"], june["answered"], june["median_wd"]) == (0, 1, 3)  # 5-28 Thu → 6-2 Tue


def test_bulletin_page_chart_and_spreadsheet_show_complaint_handling(complaints, client):
    from openpyxl import load_workbook

    publish_due(today=dt.date(2026, 6, 2))
    survey = Department.objects.get(service_types__code="ZR01")
    page = BulletinPage.objects.get(period_key="2026-05", scope_label=f"{survey.name}行业")
    html = client.get(page.url).content.decode()
    region = Region.objects.get(code="330482").name
    assert "投诉处理（按地区）" in html and "办理用时中位数（工作日）" in html
    assert "收到5件，办结3件（属实2件），用时中位数4个工作日，平均5个工作日" in html
    assert 'aria-label="投诉平均办理用时（工作日）"' in html and "median_wd" not in html
    rows = [tuple(r) for sheet in load_workbook(page.spreadsheet.file).worksheets
            for r in sheet.iter_rows(values_only=True)]
    assert (region, 5, 3, 2, 4, 5) in rows
    assert not BulletinPage.objects.filter(period_key="2026-Q2").exists()  # the quarter is not complete on 2 June
    publish_due(today=dt.date(2026, 7, 2))
    quarter = BulletinPage.objects.get(period_key="2026-Q2", scope_label=region)
    assert quarter.data["complaints"]["filed"] == 7 and quarter.data["complaints"]["answered"] == 6
    assert "投诉处理（按行业主管部门）" in client.get(quarter.url).content.decode()


def test_complaint_handling_in_english(complaints, client):
    publish_due(today=dt.date(2026, 6, 2))
    page = BulletinPage.objects.get(period_key="2026-05", scope_label=Region.objects.get(code="330482").name)
    client.cookies["django_language"] = "en"
    html = client.get(page.url).content.decode()
    assert "Complaints by department" in html and "Median working days to decision" in html
    assert "5 received, 3 decided (2 upheld), median 4 working days, mean 5 working days" in html
    assert "投诉处理" not in html and "工作日" not in html
