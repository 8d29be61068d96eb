"""The chart generator (marketplace/charts.py): labels at 12 px or more, every text inside the viewBox
(checked with the generator's own geometry), long labels shortened with the full text in a <title>."""

import re
import xml.etree.ElementTree as ET

import pytest

from marketplace.charts import MAX_LABEL, bars, layout, text_px

SVG = "{http://www.w3.org/2000/svg}"
CASES = [
    [("A", 12, "12"), ("B", 3, "3"), ("D", 0, "0")],
    [("嘉兴市住房和城乡建设局建设工程质量安全监督站", 0.925, "92.5% (40)"), ("平湖市自然资源和规划局", 1, "100.0% (3)")],
    [("PH-2026-0001", 1.12, "¥1,120,000.00 / ¥1,000,000.00"), ("PH-2026-0002", 0.4, "¥40,000.00 / ¥100,000.00")],
    [("Very long English department name for the housing and construction bureau", 5, "5")],
    [],
]


@pytest.mark.parametrize("items", CASES)
@pytest.mark.parametrize("heading", [True, False])
def test_every_text_lies_inside_the_view_box(items, heading):
    geo = layout(items, title="按部门的按时完成率" if heading else "", ref_line=1)
    for text in geo.texts:
        left, top, right, bottom = text.box()
        assert left >= 0 and top >= 0 and right <= geo.width and bottom <= geo.height, (text, geo.width)
        assert text.size >= 12
    for x, y, w, h, _fill in geo.bars:
        assert x >= 0 and x + w <= geo.width and y + h <= geo.height


@pytest.mark.parametrize("items", CASES)
def test_markup_is_legible_and_matches_the_geometry(items):
    svg = str(bars(items, title="中选价与最高限价之比", heading=True, ref_line=1))
    root = ET.fromstring(svg)
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    assert float(root.get("width")) == width  # drawn at its natural size: 13 px stays 13 px
    texts = root.findall(f"{SVG}text")
    assert texts and all(float(t.get("font-size")) >= 12 for t in texts)
    geo = layout(items, title="中选价与最高限价之比", ref_line=1)
    assert (width, height) == (geo.width, geo.height)
    assert [float(t.get("x")) for t in texts] == [round(t.x, 1) for t in geo.texts]


def test_long_labels_are_shortened_with_a_tooltip():
    long = "嘉兴市住房和城乡建设局建设工程质量安全监督站"
    svg = str(bars([(long, 1, "1")], title="t"))
    label = next(t for t in ET.fromstring(svg).findall(f"{SVG}text") if t.get("text-anchor") == "end")
    shown = "".join(label.itertext()).replace(long, "", 1)
    assert shown.endswith("…") and text_px(shown) <= MAX_LABEL
    assert label.find(f"{SVG}title").text == long


def test_labels_are_escaped():
    svg = str(bars([("<script>", 2, "2 & more")], title="t<>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "2 &amp; more" in svg
    ET.fromstring(svg)  # well-formed


@pytest.mark.django_db
def test_workspace_and_bulletin_charts_are_legible(client, regulator_user):
    from cms.bulletins import charts

    client.force_login(regulator_user)
    html = client.get("/credit/regulator/").content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    bulletin = charts({"postings": {"lowest": 3, "draw": 1}, "by_method": {"lowest": {"awards": 3, "amount": "240000"}},
                       "rankings": {"top": [{"name": "嘉兴市南湖区某某工程测绘服务有限责任公司", "mean": 4.8}]}})
    assert len(svgs) == 3 and len(bulletin) == 3
    for svg in svgs + [str(c) for c in bulletin]:
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) >= 12
        assert 'style="max-width' not in svg  # never scaled down below its font size
