"""Server-rendered inline SVG bar charts (no JavaScript, no CDN), legible and never cut off.

The geometry is computed from the labels themselves: text is 13 px (CJK characters one em wide, other
characters about 0.62 em), the label column is as wide as the longest label up to `MAX_LABEL` px (a
longer label is shortened with "…" and keeps its full text in a <title> tooltip), and the value column
is as wide as the longest value text, so the viewBox holds every text. The SVG is drawn at its natural
size (one viewBox unit = one CSS pixel, so 13 px stays 13 px); its figure scrolls on a narrow screen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 13
TITLE_FONT = 14
MAX_LABEL = 160  # about 12 CJK characters: with the bars and values a chart fits a phone card (~316 px)
ROW, PAD, GAP = 26, 8, 6
MIN_SPAN = 100  # the bars keep at least this many px; a phone card is about 316 px wide
COLOURS = {"A": "#1b7f3b", "B": "#b7791f", "C": "#c2410c", "D": "#b91c1c"}
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


def text_px(text: str, size: int = FONT) -> float:
    """An upper estimate of the rendered width of `text` at `size` px."""
    wide = len(_WIDE.findall(text))
    return size * (wide + 0.62 * (len(text) - wide))


def fit(text: str, limit: float, size: int = FONT) -> str:
    """`text`, shortened with "…" so that it is at most `limit` px wide."""
    if text_px(text, size) <= limit:
        return text
    while text and text_px(text + "…", size) > limit:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Text:
    """One text of a chart: anchor point, anchor side and content (used by tests to check the bounds)."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = FONT

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the text's estimated box."""
        w = text_px(self.text, self.size)
        left = self.x - w if self.anchor == "end" else self.x
        return left, self.y - self.size, left + w, self.y + self.size * 0.25


@dataclass
class Layout:
    width: float
    height: float
    texts: list[Text]
    bars: list[tuple[float, float, float, float, str]]
    ref_x: float | None = None


def layout(items: Sequence[tuple[str, float | int | Decimal, str]], *, title: str = "", max_value=None,
           min_width: int = 360, ref_line=None) -> Layout:
    """The geometry of a horizontal bar chart; items are (label, value, value text)."""
    labels = [fit(str(label), MAX_LABEL) for label, _v, _t in items]
    label_w = max([text_px(t) for t in labels] + [FONT * 2]) + GAP
    value_w = max([text_px(str(t)) for _l, _v, t in items] + [FONT]) + GAP
    head = TITLE_FONT + PAD * 2 if title else PAD
    span = max(float(MIN_SPAN), min_width - label_w - value_w - PAD * 2)
    width = PAD + label_w + span + value_w + PAD
    if title:
        width = max(width, PAD * 2 + text_px(title, TITLE_FONT))
    height = head + ROW * max(1, len(items)) + PAD
    values = [float(v) for _l, v, _t in items] + ([float(ref_line)] if ref_line is not None else [])
    top = float(max_value) if max_value is not None else max(values + [1.0])
    texts = [Text(PAD, PAD + TITLE_FONT, title, size=TITLE_FONT)] if title else []
    bars, x0 = [], PAD + label_w
    for i, ((label, value, text), short) in enumerate(zip(items, labels, strict=True)):
        y = head + i * ROW
        w = 0.0 if top == 0 else min(1.0, max(0.0, float(value)) / top) * span
        texts.append(Text(x0 - GAP, y + 17, short, anchor="end"))
        texts.append(Text(x0 + w + 4, y + 17, str(text)))
        bars.append((x0, y + 4, w, ROW - 8, COLOURS.get(str(label), "#2563eb")))
    if not items:
        texts.append(Text(x0, head + 17, "—"))
    ref_x = x0 + min(1.0, float(ref_line) / top) * span if ref_line is not None and top and items else None
    return Layout(width=round(width), height=round(height), texts=texts, bars=bars, ref_x=ref_x)


def _text(t: Text, full: str | None) -> str:
    anchor = ' text-anchor="end"' if t.anchor == "end" else ""
    weight = ' font-weight="600"' if t.size == TITLE_FONT else ""
    tip = f"<title>{escape(full)}</title>" if full and full != t.text else ""
    return (f'<text x="{t.x:.1f}" y="{t.y:.1f}"{anchor} font-size="{t.size}"{weight}>{tip}'
            f"{escape(t.text)}</text>")


def bars(items: Sequence[tuple], *, title: str, max_value=None, heading: bool = False, min_width: int = 360,
         ref_line=None) -> SafeString:
    """A horizontal bar chart as inline SVG. Items are (label, value, value text) or (…, tooltip of the value);
    `heading` draws the title above the bars (else it is the SVG's <title> only)."""
    rows = [(str(i[0]), i[1], str(i[2])) for i in items]
    tips = [str(i[3]) if len(i) > 3 and i[3] else None for i in items]
    geo = layout(rows, title=title if heading else "", max_value=max_value, min_width=min_width, ref_line=ref_line)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" class="chart" '
             f'viewBox="0 0 {geo.width} {geo.height}" width="{geo.width}" height="{geo.height}" '
             f'font-family="sans-serif"><title>{escape(title)}</title>']
    body = geo.texts[1:] if heading and title else geo.texts
    parts += [_text(t, None) for t in geo.texts[:len(geo.texts) - len(body)]]
    for i, (label, value_text) in enumerate(zip(body[0::2], body[1::2], strict=False)):
        parts.append(_text(label, rows[i][0]) + _text(value_text, tips[i]))
    if not rows:
        parts.append(_text(body[-1], None))
    for x, y, w, h, fill in geo.bars:
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="{fill}"/>')
    if geo.ref_x is not None:
        parts.append(f'<line x1="{geo.ref_x:.1f}" y1="{geo.height - PAD - ROW * len(rows)}" x2="{geo.ref_x:.1f}" '
                     f'y2="{geo.height - PAD}" stroke="#111" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label and text above is escaped
