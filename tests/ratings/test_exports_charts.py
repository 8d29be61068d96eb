"""CSV-injection-safe cells and escaped inline SVG (pure, no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from marketplace.charts import bars
from marketplace.exports import safe_cell


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+86 573", "'+86 573"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
    ("嘉兴测绘", "嘉兴测绘"), ("a=b", "a=b"), (None, ""), (True, "是"), (False, "否"), (-5, -5),
    (Decimal("1.50"), Decimal("1.50")), (dt.date(2025, 12, 31), "2025-12-31"),
])
def test_safe_cell(value, expected):
    with translation.override("zh-hans"):
        assert safe_cell(value) == expected


def test_bars_escape_labels_and_scale():
    svg = str(bars([("<script>", 2, "2 & more"), ("B", 4, "4")], title="t<>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "2 &amp; more" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'width="0.0"' not in svg.split("<rect")[1]  # non-zero bar for a non-zero value
    empty = str(bars([], title="none", ref_line=1))
    assert "<line" not in empty
