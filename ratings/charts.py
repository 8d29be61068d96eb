"""Server-rendered inline SVG charts (no JavaScript, no CDN): horizontal bars with labels."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

COLOURS = {"A": "#1b7f3b", "B": "#b7791f", "C": "#c2410c", "D": "#b91c1c"}


def bars(items: Sequence[tuple[str, float | int | Decimal, str]], *, title: str, max_value=None,
         width: int = 400, colour: str = "#2563eb", ref_line=None):
    """items: (label, value, display text). `ref_line` draws a vertical marker at that value (e.g. 1.0 = ceiling)."""
    row_h, label_w, pad = 26, 96, 8
    height = pad * 2 + row_h * max(1, len(items)) + 20
    values = [float(v) for _l, v, _t in items] + ([float(ref_line)] if ref_line is not None else [])
    top = float(max_value) if max_value is not None else max(values + [1.0])
    span = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" style="max-width:{width}px" '
             f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>']
    for i, (label, value, text) in enumerate(items):
        y = pad + i * row_h
        w = 0 if top == 0 else max(0.0, float(value)) / top * span
        fill = COLOURS.get(str(label), colour)
        parts.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{fill}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 17}" font-size="12">{escape(text)}</text>')
    if ref_line is not None and top and items:
        x = label_w + float(ref_line) / top * span
        parts.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{height - 20}" stroke="#111" '
                     f'stroke-dasharray="4 3"/>')
    if not items:
        parts.append(f'<text x="{label_w}" y="{pad + 17}" font-size="12">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label and text above is escaped
