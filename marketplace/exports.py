"""The one way to export a list as XLSX or CSV: translated sheet names and headers, readable columns.

XLSX: the sheet title and headers in the active language, a bold and frozen header row, column widths
fitted to the content (a CJK character counts double), money as ``#,##0.00``, dates as real dates shown
``yyyy-mm-dd``, percentages as ``0.0%``. CSV: the same headers, UTF-8 with a BOM so spreadsheet programs
read Chinese. Text cells are safe against formula injection (a leading = + - @ gets a quote).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
TEXT, MONEY, DATE, DATETIME, PERCENT, NUMBER = "text", "money", "date", "datetime", "percent", "number"
FORMATS = {MONEY: "#,##0.00", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", PERCENT: "0.0%"}
MAX_WIDTH, MIN_WIDTH = 60, 6
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One exported column: its (translated) header and the kind of its values."""

    header: str
    kind: str = TEXT


def columns(*specs) -> list[Column]:
    """`columns(_("名称"), (_("金额"), MONEY), …)`: a plain header is a text column."""
    return [Column(str(s[0]), s[1]) if isinstance(s, tuple) else Column(str(s)) for s in specs]


def text_width(text: str) -> int:
    """Display width of `text` in a spreadsheet column: CJK and full-width characters count double."""
    return len(text) + len(_WIDE.findall(text))


def safe_cell(value):
    """A plain value for a cell; text starting with = + - @ (or tab/CR) is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS):
        return "'" + text
    return text


def _local(value: dt.datetime) -> dt.datetime:
    """openpyxl refuses aware datetimes: the local wall-clock time, naive."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, second=0, microsecond=0)


def xlsx_cell(value, kind: str):
    """The value as the cell should hold it: real dates and numbers for typed columns, safe text otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    if kind in (MONEY, PERCENT, NUMBER) and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def shown(value, kind: str) -> str:
    """Roughly what a spreadsheet shows for the cell, to size its column."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00"
    if isinstance(value, dt.date):
        return "2026-01-01"
    if kind == MONEY and isinstance(value, int | float | Decimal):
        return f"{value:,.2f}"
    if kind == PERCENT and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:.1f}%"
    return str(value)


def _number_format(value, kind: str) -> str:
    if isinstance(value, dt.datetime):
        return FORMATS[DATETIME]
    if isinstance(value, dt.date):
        return FORMATS[DATE]
    if kind in (MONEY, PERCENT) and isinstance(value, int | float | Decimal):
        return FORMATS[kind]
    return "General"


def sheet_title(title: str) -> str:
    """A valid sheet name (31 characters, none of []:*?/\\)."""
    return _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet1"


def add_sheet(book, *, title: str, cols: Sequence[Column], rows: Iterable[Sequence]):
    """Append a formatted sheet to an openpyxl workbook and return it."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=sheet_title(title))
    sheet.append([c.header for c in cols])
    widths = [text_width(c.header) for c in cols]
    for row in rows:
        values = [xlsx_cell(v, c.kind) for v, c in zip(row, cols, strict=False)]
        sheet.append(values)
        for i, (value, col) in enumerate(zip(values, cols, strict=False)):
            widths[i] = max(widths[i], text_width(shown(value, col.kind)))
    bold = Font(bold=True)
    for i, col in enumerate(cols, start=1):
        sheet.cell(row=1, column=i).font = bold
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, widths[i - 1] + 2))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
            cell.number_format = _number_format(cell.value, col.kind)
    sheet.freeze_panes = "A2"
    return sheet


def workbook(sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence]]]) -> bytes:
    """An XLSX file with one formatted sheet per (title, columns, rows)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, cols, rows in sheets:
        add_sheet(book, title=title, cols=cols, rows=rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(cols: Sequence[Column], rows: Iterable[Sequence]) -> str:
    """CSV with translated headers and a UTF-8 BOM (spreadsheet programs then read Chinese correctly)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(c.header) for c in cols])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def export(fmt: str, *, name: str, title: str, cols: Sequence[Column], rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment in `fmt` ("csv" or "xlsx"): file `<name>-<date>.<fmt>`, sheet titled `title`."""
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(workbook([(title, cols, rows)]), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_text(cols, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
