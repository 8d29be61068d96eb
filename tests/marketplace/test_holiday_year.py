"""Holidays entered a year at a time: the notice parser, the package loader, the audited replacement and
the operator screen with its refusals (issue 16, item 8)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketplace import workdays
from marketplace.accounts.services import add_member
from marketplace.holiday_notice import HOLIDAY, WORKDAY, Day, from_package, parse_notice
from marketplace.holidays import replace_year
from marketplace.models import AuditEntry, CalendarYear, Holiday, Organisation
from tests.factories import OrganisationFactory, UserFactory, member_of

NOTICE_2026 = """一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def d(text):
    return dt.date.fromisoformat(text)


def test_the_state_council_notice_parses_to_the_package_schedule():
    days = parse_notice(NOTICE_2026, 2026)
    package, _source = from_package(2026)
    assert {(x.date, x.kind) for x in days} == {(x.date, x.kind) for x in package}
    names = {x.date: x.name for x in days}
    assert names[d("2026-02-17")] == "春节" and names[d("2026-01-04")] == "元旦"


def test_simple_ranges_and_single_days():
    days = parse_notice("春节 2027-02-06 至 2027-02-13 放假；2027-02-14 上班\n9月30日至10月2日放假", 2027)
    assert [x.date for x in days if x.kind == HOLIDAY][:3] == [d("2027-02-06"), d("2027-02-07"), d("2027-02-08")]
    assert len([x for x in days if x.kind == HOLIDAY]) == 8 + 3
    assert [(x.date, x.name) for x in days if x.kind == WORKDAY] == [(d("2027-02-14"), "春节")]
    assert d("2027-09-30") in {x.date for x in days} and d("2027-10-01") in {x.date for x in days}


@pytest.mark.parametrize(("text", "message"), [
    ("", "没有识别出任何日期"),
    ("元旦：1月1日至3日", "未写明放假还是上班"),
    ("元旦：2026-01-01 放假", "不在2027年"),
    ("元旦：2月30日放假", "不是有效日期"),
    ("元旦：1月5日至3日放假", "结束早于开始"),
    ("元旦：1月1日放假\n调休：1月1日上班", "既是放假又是上班"),
])
def test_bad_notice_text_is_refused_in_both_languages(text, message):
    with pytest.raises(ValidationError) as exc:
        parse_notice(text, 2027)
    assert message in exc.value.messages[0] and " / " in exc.value.messages[0]


def test_package_refuses_an_unknown_year():
    with pytest.raises(ValidationError) as exc:
        from_package(2099)
    assert "尚未收录2099年" in exc.value.messages[0]


@pytest.mark.django_db
def test_replace_year_is_one_audited_write(operator_user):
    Holiday.objects.create(date=d("2027-03-03"), kind=Holiday.Kind.HOLIDAY, name="旧")
    days = [Day(d("2027-01-01"), HOLIDAY, "元旦"), Day(d("2027-01-09"), WORKDAY, "元旦")]
    before = AuditEntry.objects.count()
    replace_year(by=operator_user, year=2027, days=days, source="国办发明电〔2026〕", reason="2027年安排")
    assert list(Holiday.objects.filter(date__year=2027).values_list("date", "kind")) == [
        (d("2027-01-01"), "holiday"), (d("2027-01-09"), "workday")]
    assert CalendarYear.objects.get(year=2027).confirmed
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "marketplace.holiday_year_replaced" and entry.reason == "2027年安排"
    assert entry.data["holidays"] == 1 and entry.data["workdays"] == 1
    workdays.invalidate()
    assert not workdays.get_calendar().is_working_day(d("2027-01-01"))
    with pytest.raises(ValidationError):
        replace_year(by=operator_user, year=2027, days=days, source="x", reason=" ")


@pytest.mark.django_db
def test_package_names_are_chinese():
    assert not Holiday.objects.filter(name__in=["Spring Festival", "National Day", "New Year's Day"]).exists()
    assert Holiday.objects.filter(name="春节").exists()


URL = "marketplace_holiday_year"


@pytest.fixture
def operator(operator_org, client):
    user = UserFactory()
    add_member(by=None, organisation=operator_org, user=user, role="admin", check=False)
    client.force_login(user)
    return user


def _post(**changes):
    data = {"year": "2027", "mode": "notice", "text": "元旦：1月1日至3日放假。1月4日（周一）上班。",
            "source": "国办发明电〔2026〕", "reason": "2027年安排", "step": "preview"}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_operator_previews_then_saves_the_year(client, operator):
    page = client.get(reverse(URL)).content.decode()
    assert "w-field__input" in page and "粘贴国务院办公厅通知" in page
    resp = client.post(reverse(URL), _post())
    assert resp.status_code == 200 and resp.context["preview"]["holidays"] == 3
    assert "2027-01-04" in resp.content.decode()
    assert not Holiday.objects.filter(date__year=2027).exists()  # preview writes nothing
    resp = client.post(reverse(URL), _post(step="confirm"))
    assert resp.status_code == 302
    assert Holiday.objects.filter(date__year=2027).count() == 4
    assert AuditEntry.objects.get(action="marketplace.holiday_year_replaced").reason == "2027年安排"


@pytest.mark.django_db
def test_operator_loads_a_year_from_the_package(client, operator):
    resp = client.post(reverse(URL), _post(year="2026", mode="package", text="", source="", step="confirm"))
    assert resp.status_code == 302
    row = CalendarYear.objects.get(year=2026)
    assert row.source.startswith("chinesecalendar")
    assert Holiday.objects.get(date=d("2026-02-17")).name == "春节"


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"text": "元旦：1月1日至3日"}, "text", "未写明放假还是上班"),
    ({"text": ""}, "text", "请粘贴通知中的日期"),
    ({"reason": ""}, "reason", "请说明修改原因"),
    ({"year": "2099", "mode": "package"}, "year", "尚未收录2099年"),
    ({"year": "abc"}, "year", "年份须为整数"),
])
def test_bad_input_is_shown_beside_the_field_and_kept(client, operator, changes, field, message):
    data = _post(step="confirm", **changes)
    resp = client.post(reverse(URL), data)
    assert resp.status_code == 200
    errors = resp.context["form"].errors[field]
    assert any(message in e for e in errors) and not any(" / " in e for e in errors)
    if data["text"]:
        assert data["text"] in resp.content.decode()
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not AuditEntry.objects.filter(action="marketplace.holiday_year_replaced").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anon", "agency", "owner", "regulator"])
def test_holiday_year_refused(client, who, owner_user, regulator_user):
    user = {"anon": None, "owner": owner_user, "regulator": regulator_user,
            "agency": member_of(OrganisationFactory(kind=Organisation.Kind.AGENCY))}[who]
    if user:
        client.force_login(user)
    assert client.get(reverse(URL)).status_code in (302, 403)
    resp = client.post(reverse(URL), _post(step="confirm"))
    assert resp.status_code in (302, 403)
    assert not Holiday.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_holiday_year_page_in_english(client, operator):
    from tests.factories import prefer_english

    prefer_english(operator)
    html = client.get(reverse(URL)).content.decode()
    assert "Holidays by year" in html and "Paste the State Council notice" in html and "按年录入节假日" not in html
    resp = client.post(reverse(URL), _post(text="元旦：1月1日至3日"))
    assert resp.context["form"].errors["text"] == [
        "line 1: “1月1日至3日” says neither 放假 (day off) nor 上班 (working day)"]


@pytest.mark.django_db
def test_migration_renames_english_package_names():
    from importlib import import_module

    from django.apps import apps

    Holiday.objects.create(date=d("2030-02-05"), kind=Holiday.Kind.HOLIDAY, name="Spring Festival")
    Holiday.objects.create(date=d("2030-10-01"), kind=Holiday.Kind.HOLIDAY, name="本地名称")
    import_module("marketplace.migrations.0007_operator_holiday_names").to_chinese(apps, None)
    assert Holiday.objects.get(date=d("2030-02-05")).name == "春节"
    assert Holiday.objects.get(date=d("2030-10-01")).name == "本地名称"
