"""CSV and XLSX export of the regulator's lists, safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Plain values for a spreadsheet cell; text starting with = + - @ (or tab/CR) is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
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


def export(fmt: str, *, name: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment response in `fmt` ("csv" or "xlsx")."""
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=name[:31])
        ws.append([safe_cell(h) for h in headers])
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(buf.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response
    buf = io.StringIO()
    buf.write("\ufeff")  # so spreadsheet programs read UTF-8 Chinese correctly
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
