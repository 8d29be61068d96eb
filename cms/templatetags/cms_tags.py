from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

DRAW_LABELS = {
    "seed": "随机种子", "seed_hash": "种子哈希", "candidates": "候选机构", "order": "抽取顺序",
    "selected": "中选机构", "winner": "中选机构", "drawn_at": "抽取时间", "algorithm": "算法",
    "method": "方式", "witnesses": "见证人", "round": "轮次", "policy_version": "规则版本",
}


@register.simple_tag
def structured(value):
    """Render a JSON value (draw record) as nested, escaped HTML lists and tables."""
    return _render(value, depth=0)


def _render(value, depth):
    if depth > 4:
        return format_html("<code>{}</code>", value)
    if isinstance(value, dict):
        rows = format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                                ((DRAW_LABELS.get(k, k), _render(v, depth + 1)) for k, v in value.items()))
        return format_html("<table class=\"table facts\"><tbody>{}</tbody></table>", rows)
    if isinstance(value, list):
        items = format_html_join("", "<li>{}</li>", ((_render(v, depth + 1),) for v in value))
        return format_html("<ol class=\"plain\">{}</ol>", items)
    return format_html("{}", "" if value is None else value)
