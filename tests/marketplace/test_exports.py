"""The one export helper (marketplace/exports.py): files opened with openpyxl show translated sheet names
and headers, widths fitted to the content (CJK counts double), a frozen bold header, real dates and number
formats; CSV carries a BOM. Also every regulator list export goes through it, in both languages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from marketplace import exports
from marketplace.exports import DATE, DATETIME, MONEY, PERCENT, columns, text_width
from tests.factories import AgencyFactory

COLS = columns("名称", ("金额", MONEY), ("日期", DATE), ("时间", DATETIME), ("比例", PERCENT), "备注")
ROWS = [["嘉兴市南湖区测绘服务有限公司", Decimal("1200000.00"), dt.date(2026, 11, 27),
         dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC), 0.8125, "=HYPERLINK(1)"]]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request with the English cookie leaves English active in this thread; later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_text_width_counts_cjk_double():
    assert text_width("abc") == 3 and text_width("测绘") == 4 and text_width("（A）") == 5


def test_workbook_is_formatted():
    ws = _sheet(exports.workbook([("机构信用", COLS, ROWS)]))
    assert ws.title == "机构信用" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["名称", "金额", "日期", "时间", "比例", "备注"]
    assert all(c.font.b for c in ws[1])
    name, amount, day, moment, share, note = ws[2]
    assert amount.value == 1200000 and amount.number_format == "#,##0.00"
    assert day.value == dt.datetime(2026, 11, 27) and day.number_format == "yyyy-mm-dd"
    assert moment.value == dt.datetime(2026, 11, 27, 17, 30)  # local time (Asia/Shanghai), naive
    assert moment.number_format == "yyyy-mm-dd hh:mm"
    assert share.number_format == "0.0%"
    assert note.value == "'=HYPERLINK(1)"
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEF"}
    assert widths["A"] >= text_width(ROWS[0][0]) == 14 * 2  # a CJK name counts double
    assert widths["B"] >= len("1,200,000.00") and widths["C"] >= 10 and widths["D"] >= 16
    assert widths["F"] < widths["A"]


def test_long_cells_are_capped_and_sheet_names_are_valid():
    ws = _sheet(exports.workbook([("a/b:c*d?[e]" + "长" * 40, columns("x"), [["长" * 200]])]))
    assert ws.column_dimensions["A"].width == exports.MAX_WIDTH
    assert len(ws.title) <= 31 and not set("/:*?[]") & set(ws.title)


def test_csv_has_bom_and_translated_headers():
    text = exports.csv_text(COLS, ROWS)
    assert text.startswith("\ufeff名称,金额,日期")
    assert "'=HYPERLINK(1)" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "header", "date_header"), [
    ("zh-hans", "机构信用", "统一社会信用代码", "暂停至"), ("en", "Agency credit", "Unified social credit code",
                                                    "Suspended until")])
def test_regulator_export_in_both_languages(client, regulator_user, language, title, header, date_header):
    agency = AgencyFactory(name="嘉兴市秀洲区工程造价咨询事务所有限公司")
    agency.suspended_until = dt.date(2026, 12, 31)
    agency.save(update_fields=["suspended_until"])
    client.force_login(regulator_user)
    client.cookies["django_language"] = language
    ws = _sheet(client.get("/credit/regulator/?format=xlsx").content)
    headers = [c.value for c in ws[1]]
    assert ws.title == title and headers[0] == header and "USCC" not in headers and ws.freeze_panes == "A2"
    assert "agencies" not in ws.title
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == agency.name)
    day = row[headers.index(date_header)]
    assert day.value == dt.datetime(2026, 12, 31) and day.number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].width >= text_width(agency.name)
    body = client.get("/credit/regulator/?format=csv").content
    assert body.startswith("\ufeff".encode()) and next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[0] == header
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in "".join(headers) + ws.title)
    assert chinese == (language == "zh-hans")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/credit/regulator/sanctions/", "/credit/regulator/appeals/",
                                 "/credit/regulator/complaints/", "/credit/regulator/repairs/",
                                 "/credit/regulator/reviews/", "/credit/regulator/enforcement/", "/oversight/"])
def test_every_list_export_is_formatted(client, regulator_user, url):
    client.force_login(regulator_user)
    client.cookies["django_language"] = "en"
    response = client.get(url + "?format=xlsx")
    assert response.status_code == 200, url
    ws = _sheet(response.content)
    headers = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(headers) + ws.title), (url, ws.title, headers)
    assert all(ws.column_dimensions[c.column_letter].width >= text_width(c.value) for c in ws[1])


def test_bulletin_spreadsheet_types_money_and_percent():
    from cms.bulletins import spreadsheet

    data = {"postings": {"lowest": 3}, "by_method": {"lowest": {"awards": 3, "amount": "240000.00"}},
            "completed": 2, "on_time_rate": 0.5, "ratings": 4, "satisfied_rate": 0.75, "rating_mean": 4.1,
            "price_to_ceiling": 0.8, "complaints": {"filed": 1, "answered": 1, "handling_days": 2.5},
            "reviews": {"pass": 1}, "risk_flags": {}, "rankings": {"top": [], "bottom": []}}
    with translation.override("zh-hans"):
        book = load_workbook(io.BytesIO(spreadsheet(data)))
    methods = book.worksheets[0]
    assert methods.title == "选取方式" and methods["D2"].value == 240000 and methods["D2"].number_format == "#,##0.00"
    service = book["履约与评价"]
    assert service["B2"].value == 0.5 and service["B2"].number_format == "0.0%"
    assert book["报告复审"]["A2"].value == "合格"  # the outcome's label, not its code
    with translation.override("en"):
        assert load_workbook(io.BytesIO(spreadsheet(data))).worksheets[0].title == "Selection method"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "first"), [("zh-hans", "机构名录", "机构名称"), ("en", "Agency register", "name")])
def test_import_template_reads_back_through_the_importer(client, operator_user, language, title, first):
    from agencies.importer import COLUMNS, QUALIFICATION_COLUMNS, header_name

    client.force_login(operator_user)
    client.cookies["django_language"] = language
    response = client.get("/agencies/import/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    sheet, guide = book.worksheets
    headers = [c.value for c in sheet[1]]
    assert sheet.title == title and headers[0] == first and sheet.freeze_panes == "A2"
    assert [header_name(h) for h in headers] == COLUMNS + QUALIFICATION_COLUMNS  # the importer understands it
    assert guide.max_row == len(headers) + 1 and all(c.font.b for c in guide[1])
    assert all(sheet.column_dimensions[c.column_letter].width >= text_width(c.value) for c in sheet[1])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "agency", "owner", "regulator"])
def test_import_template_is_refused_to_other_roles(client, who, owner_user, regulator_user):
    from tests.factories import member_of

    user = {"anonymous": None, "owner": owner_user, "regulator": regulator_user,
            "agency": member_of(AgencyFactory().organisation) if who == "agency" else None}[who]
    if user is not None:
        client.force_login(user)
    response = client.get("/agencies/import/template.xlsx")
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/accounts/login/" in response["Location"]


def test_import_error_list_is_a_translated_csv_with_bom():
    from agencies.importer import ImportReport, RowError

    report = ImportReport(errors=[RowError(row=3, column="uscc", reason="=cmd|' /C calc'!A0")])
    with translation.override("zh-hans"):
        assert report.errors_csv().startswith("\ufeff行,列,原因\r\n3,uscc,'=cmd")
    with translation.override("en"):
        assert report.errors_csv().startswith("\ufeffRow,Column,Reason")
