from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

register = template.Library()

DRAW_LABELS = {
    "project_code": _("项目编号"),
    "closed_at": _("报名截止时间"),
    "commitment": _("承诺值（发布时公开的密钥哈希）"),
    "secret": _("随机密钥（抽取后公开）"),
    "beacon": _("公开随机信标"),
    "seed": _("随机种子"),
    "digest": _("摘要"),
    "candidates": _("候选机构"),
    "excluded": _("未入围机构及原因"),
    "order": _("抽取顺序"),
    "abandoned": _("放弃中选"),
    "selected": _("中选机构"),
    "winner": _("中选机构"),
    "drawn_at": _("抽取时间"),
    "algorithm": _("算法"),
    "method": _("方式"),
    "policy_version": _("规则版本"),
    "uscc": _("统一社会信用代码"),
    "reason": _("原因"),
}


@register.simple_tag
def structured(value):
    """Render a JSON value (draw record) as nested, escaped HTML lists and tables."""
    return _render(value, depth=0)


def _render(value, depth):
    if depth > 4:
        return format_html("<code>{}</code>", value)
    if isinstance(value, dict) and value:
        order = {key: n for n, key in enumerate(DRAW_LABELS)}
        keys = sorted(value, key=lambda k: (order.get(k, len(order)), k))
        rows = format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                                ((DRAW_LABELS.get(k, k), _render(value[k], depth + 1)) for k in keys))
        return format_html("<table class=\"table facts\"><tbody>{}</tbody></table>", rows)
    if isinstance(value, list) and value:
        items = format_html_join("", "<li>{}</li>", ((_render(v, depth + 1),) for v in value))
        return format_html("<ol class=\"plain\">{}</ol>", items)
    if value in (None, "", [], {}):
        return "—"
    return format_html("{}", value)
