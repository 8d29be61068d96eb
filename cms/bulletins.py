"""Monthly 月简报 and quarterly 季度通报, one per department and per region, published as pages under the
通知公告 index: tables and SVG bar charts of `oversight.bulletins.figures`, with an XLSX attachment.

`publish_due(today)` (the periodic job `cms.bulletins`) publishes each bulletin of the last complete month
and quarter once: a bulletin already published under its key is left alone, so the job is idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from cms.bulletin_models import BulletinPage
from cms.models import NoticeIndexPage, NoticeKind
from marketplace import charts as svg
from marketplace import exports
from marketplace.display import money
from marketplace.policy import current_policy
from oversight import bulletins
from projects.models import Project

METHODS = dict(Project.Method.choices)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _outcome(code: str) -> str:
    from ratings.models import ReportReview

    return str(dict(ReportReview.Outcome.choices).get(code, code))


def sections(data: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The bulletin's tables as (heading, [(label, value)]) with labels, never internal codes."""
    postings = [(str(METHODS.get(m, m)), str(n)) for m, n in sorted(data.get("postings", {}).items())]
    awards = [(str(METHODS.get(m, m)), _("%(n)s项，%(amount)s") % {"n": v["awards"], "amount": money(v["amount"])})
              for m, v in sorted(data.get("by_method", {}).items())]
    complaints = data.get("complaints", {})
    service = [(_("完成服务"), str(data.get("completed", 0))), (_("按期完成率"), _pct(data.get("on_time_rate"))),
               (_("评价数"), str(data.get("ratings", 0))), (_("满意率"), _pct(data.get("satisfied_rate"))),
               (_("平均评分"), str(data.get("rating_mean") or "—")),
               (_("中选价占最高限价平均比例"), _pct(data.get("price_to_ceiling")))]
    service += [(_("报告复审：%(outcome)s") % {"outcome": _outcome(o)}, str(n))
                for o, n in data.get("reviews", {}).items() if o]
    handling = [(_("收到投诉"), str(complaints.get("filed", 0))), (_("办结投诉"), str(complaints.get("answered", 0))),
                (_("其中属实"), str(complaints.get("verified", 0))),
                (_("办理用时中位数（工作日）"), _num(complaints.get("median_wd"))),
                (_("平均办理用时（工作日）"), _num(complaints.get("mean_wd")))]
    from oversight.models import RiskFlag

    risks = [(str(RiskFlag.Kind(k).label), str(n)) for k, n in sorted(data.get("risk_flags", {}).items())]
    return [(_("发布项目（按选取方式）"), postings), (_("中选（按选取方式）"), awards), (_("履约与评价"), service),
            (_("投诉处理"), handling), (_group_heading(complaints), complaint_groups(complaints)),
            (_("新发现的风险线索"), risks)]


def _num(value) -> str:
    return "—" if value is None else f"{value:g}"


def _group_heading(complaints: dict) -> str:
    return _("投诉处理（按地区）") if complaints.get("by") == "region" else _("投诉处理（按行业主管部门）")


def _group_label(group: dict) -> str:
    return group["label"] or _("未关联项目")


def complaint_groups(complaints: dict) -> list[tuple[str, str]]:
    """One row per region (department bulletin) or department (region bulletin): counts and handling time."""
    return [(_group_label(g), _("收到%(filed)s件，办结%(decided)s件（属实%(verified)s件），用时中位数%(median)s个工作日，"
                                "平均%(mean)s个工作日") % {"filed": g["filed"], "decided": g["decided"],
                                                          "verified": g["verified"], "median": _num(g["median_wd"]),
                                                          "mean": _num(g["mean_wd"])})
            for g in complaints.get("groups", [])]


def bar_chart(title: str, items: list[tuple[str, float]], *, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG with its title drawn above (escaped labels, no script)."""
    if not items:
        return ""
    return svg.bars([(label, value, f"{value:g}{unit}") for label, value in items], title=title, heading=True,
                    min_width=300)


def charts(data: dict) -> list:
    postings = [(str(METHODS.get(m, m)), n) for m, n in sorted(data.get("postings", {}).items())]
    amounts = [(str(METHODS.get(m, m)), round(float(v["amount"]) / 10000, 2))
               for m, v in sorted(data.get("by_method", {}).items())]
    ranking = [(r["name"], r["mean"]) for r in data.get("rankings", {}).get("top", [])]
    complaints = data.get("complaints", {})
    handling = [(_group_label(g), g["mean_wd"]) for g in complaints.get("groups", []) if g.get("mean_wd") is not None]
    filed = [(_group_label(g), g["filed"]) for g in complaints.get("groups", []) if g.get("filed")]
    return [c for c in (bar_chart(_("发布项目数"), postings),
                        bar_chart(_("中选金额（万元）"), amounts),
                        bar_chart(_("评价较好的机构（平均分）"), ranking),
                        bar_chart(_("收到投诉（件）"), filed),
                        bar_chart(_("投诉平均办理用时（工作日）"), handling)) if c]


def _sheets(data: dict) -> list:
    """The bulletin's figures as typed sheets (money, percentages and counts as numbers)."""
    c = exports.columns
    methods = sorted(set(data.get("postings", {})) | set(data.get("by_method", {})))
    by_method = data.get("by_method", {})
    complaints = data.get("complaints", {})
    service = c(_("完成服务"), (_("按期完成率"), exports.PERCENT), _("评价数"), (_("满意率"), exports.PERCENT),
                (_("平均评分"), exports.NUMBER), (_("中选价占最高限价平均比例"), exports.PERCENT),
                _("收到投诉"), _("办结投诉"), _("其中属实"), (_("办理用时中位数（工作日）"), exports.NUMBER),
                (_("平均办理用时（工作日）"), exports.NUMBER))
    ranking = c(_("机构"), _("统一社会信用代码"), _("评价数"), (_("平均分"), exports.NUMBER))
    from oversight.models import RiskFlag

    return [
        (_("选取方式"), c(_("选取方式"), _("发布项目"), _("中选"), (_("中选金额（元）"), exports.MONEY)),
         [[str(METHODS.get(m, m)), data.get("postings", {}).get(m, 0), by_method.get(m, {}).get("awards", 0),
           Decimal(by_method.get(m, {}).get("amount", "0"))] for m in methods]),
        (_("履约与评价"), service, [[data.get("completed", 0), data.get("on_time_rate"), data.get("ratings", 0),
                                    data.get("satisfied_rate"), data.get("rating_mean"), data.get("price_to_ceiling"),
                                    complaints.get("filed", 0), complaints.get("answered", 0),
                                    complaints.get("verified", 0), complaints.get("median_wd"),
                                    complaints.get("mean_wd")]]),
        (_("报告复审"), c(_("结论"), _("数量")), [[_outcome(o), n] for o, n in data.get("reviews", {}).items() if o]),
        (_("风险线索"), c(_("风险类型"), _("数量")),
         [[str(RiskFlag.Kind(k).label), n] for k, n in sorted(data.get("risk_flags", {}).items())]),
        (_("评价较好的机构"), ranking, [[r["name"], r["uscc"], r["ratings"], r["mean"]] for r in data["rankings"]["top"]]),
        (_("评价较差的机构"), ranking,
         [[r["name"], r["uscc"], r["ratings"], r["mean"]] for r in data["rankings"]["bottom"]]),
        (_group_heading(complaints),
         c(_("地区或部门"), _("收到投诉"), _("办结投诉"), _("其中属实"), (_("办理用时中位数（工作日）"), exports.NUMBER),
           (_("平均办理用时（工作日）"), exports.NUMBER)),
         [[_group_label(g), g["filed"], g["decided"], g["verified"], g["median_wd"], g["mean_wd"]]
          for g in complaints.get("groups", [])]),
    ]


def spreadsheet(data: dict) -> bytes:
    """The bulletin's XLSX attachment, one formatted sheet per table (the kernel's export helper)."""
    return exports.workbook(_sheets(data))


def title_of(data: dict, kind: str) -> str:
    name = _("月简报") if kind == "month" else _("季度通报")
    return f"{data['scope']['label']}{data['period']['label']}中介服务{name}"


@transaction.atomic
def publish(period, scope, *, today: dt.date, policy=None) -> BulletinPage | None:
    """Publish one bulletin unless it exists (then None)."""
    from wagtail.documents import get_document_model

    key = f"bulletin:{period.key}:{scope.key}"
    parent = NoticeIndexPage.objects.select_for_update().get(kind=NoticeKind.NEWS)
    if BulletinPage.objects.filter(source_key=key).exists():
        return None
    data = bulletins.figures(period, scope, policy=policy or current_policy())
    title = title_of(data, period.kind)
    document = get_document_model()(title=title)
    document.file.save(f"bulletin-{period.key}-{scope.key}.xlsx", ContentFile(spreadsheet(data)), save=False)
    document.save()
    page = BulletinPage(title=title, slug=f"bulletin-{period.key}-{scope.key}".lower(), period_kind=period.kind,
                        period_key=period.key, scope_label=scope.label, source_key=key, published_on=today,
                        data=data, spreadsheet=document, live=False)
    parent.add_child(instance=page)
    page.save_revision().publish(skip_permission_checks=True)
    return page


def publish_due(*, today: dt.date) -> int:
    """Every bulletin of the last complete month and quarter not yet published; returns how many were."""
    policy = current_policy()
    made = 0
    for period in bulletins.due_periods(today):
        for scope in bulletins.scopes():
            made += publish(period, scope, today=today, policy=policy) is not None
    return made
