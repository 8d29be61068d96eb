"""The display layer: one language at a time, a label for every code, one money and one date format.

Services keep their refusals in the house "中文 / English" form (the JSON API and the logs want both);
`one_language` picks the active language's side when a page shows the text. Audit entries render as
sentences ("2026-11-27 平湖市住房和城乡建设局 上传合同") through `SENTENCES`, which has one entry per
declared event (a test checks the registry is complete). Templates use these through the filters of
`marketplace/templatetags/display.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from marketplace import policy_meta

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
# " / " (or "）/ ") between a Chinese part and an English part; the English part starts with a letter,
# a digit, a quote or a bracket.
_SEPARATOR = re.compile(r"\s*/\s+(?=[A-Za-z0-9\"'(\[{])")


def is_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def split_bilingual(text: str) -> tuple[str, str] | None:
    """("中文", "English") when `text` is in the house "中文 / English" form, else None."""
    for match in _SEPARATOR.finditer(text):
        left, right = text[:match.start()], text[match.end():]
        if _CJK.search(left) and len(_LATIN.findall(right)) > len(_CJK.findall(right)):
            return left.strip(), right.strip()
    return None


def one_language(text, english: bool | None = None) -> str:
    """The side of a "中文 / English" text for the active language; any other text unchanged."""
    if text is None:
        return ""
    text = str(text)
    parts = split_bilingual(text)
    if parts is None:
        return text
    if english is None:
        english = is_english()
    return parts[1] if english else parts[0]


# ---- money and dates ----------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value) -> str:
    """¥1,200,000.00 — the one money format (元, two decimals, thousands separators)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def wan(value) -> str:
    """120.00 万元 / ¥1.2 million-style figure for staff who count in 万元 (English: ¥ with separators)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    if is_english():
        return money(amount)
    return f"{amount / 10000:,.2f} 万元"


def date(value) -> str:
    """The one date format: 2026-11-27 (datetimes add local HH:MM), in both languages, as the rest of the site."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10]) if len(value) <= 10 else dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


# ---- audit entries as sentences -----------------------------------------------------------------

# The "audit" context keeps these past-tense sentences apart from the same words used as buttons.
SENTENCES = {
    "marketplace.policy_adopted": pgettext_lazy("audit", "启用新的政策参数版本"),
    "marketplace.organisation_created": pgettext_lazy("audit", "注册单位"),
    "marketplace.member_added": pgettext_lazy("audit", "添加单位成员"),
    "marketplace.invitation_sent": pgettext_lazy("audit", "发出成员邀请"),
    "agencies.application_started": pgettext_lazy("audit", "创建入驻申请"),
    "agencies.application_submitted": pgettext_lazy("audit", "提交入驻申请"),
    "agencies.admitted": pgettext_lazy("audit", "准予入驻"),
    "agencies.rejected": pgettext_lazy("audit", "退回入驻申请"),
    "agencies.status_changed": pgettext_lazy("audit", "变更机构状态"),
    "agencies.document_uploaded": pgettext_lazy("audit", "上传材料"),
    "agencies.change_submitted": pgettext_lazy("audit", "提交变更申请"),
    "agencies.change_approved": pgettext_lazy("audit", "通过变更申请"),
    "agencies.change_rejected": pgettext_lazy("audit", "退回变更申请"),
    "agencies.storefront_updated": pgettext_lazy("audit", "更新机构主页"),
    "agencies.imported": pgettext_lazy("audit", "导入机构名录"),
    "agencies.credit_event_recorded": pgettext_lazy("audit", "记入信用事项"),
    "agencies.credit_event_corrected": pgettext_lazy("audit", "更正信用事项"),
    "agencies.credit_updated": pgettext_lazy("audit", "更新信用分与等级"),
    "projects.draft_created": pgettext_lazy("audit", "创建采购需求草稿"),
    "projects.draft_updated": pgettext_lazy("audit", "修改采购需求草稿"),
    "projects.published": pgettext_lazy("audit", "发布采购公告"),
    "projects.revised": pgettext_lazy("audit", "发布变更公告"),
    "projects.cancelled": pgettext_lazy("audit", "取消项目"),
    "projects.republished": pgettext_lazy("audit", "重新发布项目"),
    "projects.registered": pgettext_lazy("audit", "报名参加项目"),
    "projects.quote_submitted": pgettext_lazy("audit", "提交密封报价"),
    "projects.registration_closed": pgettext_lazy("audit", "报名截止"),
    "projects.provider_selected": pgettext_lazy("audit", "选定中选机构"),
    "projects.round_failed": pgettext_lazy("audit", "本轮流标"),
    "projects.technical_scored": pgettext_lazy("audit", "录入技术评分"),
    "projects.low_quote_flagged": pgettext_lazy("audit", "标记异常低价"),
    "projects.low_quote_justified": pgettext_lazy("audit", "提交低价书面说明"),
    "projects.low_quote_decided": pgettext_lazy("audit", "决定是否采纳低价说明"),
    "projects.selection_confirmed": pgettext_lazy("audit", "确认中选"),
    "projects.selection_abandoned": pgettext_lazy("audit", "放弃中选"),
    "projects.result_published": pgettext_lazy("audit", "公示选取结果"),
    "projects.objection_filed": pgettext_lazy("audit", "提出质疑"),
    "projects.objection_answered": pgettext_lazy("audit", "答复质疑"),
    "projects.result_withdrawn": pgettext_lazy("audit", "撤销选取结果"),
    "projects.publicity_ended": pgettext_lazy("audit", "结束公示"),
    "projects.contract_signed": pgettext_lazy("audit", "签订合同"),
    "projects.contract_uploaded": pgettext_lazy("audit", "上传合同"),
    "projects.service_started": pgettext_lazy("audit", "开始服务"),
    "projects.materials_complete": pgettext_lazy("audit", "确认资料齐全，开始计时"),
    "projects.clock_paused": pgettext_lazy("audit", "申请补正，暂停计时"),
    "projects.clock_resumed": pgettext_lazy("audit", "提供补正资料，恢复计时"),
    "projects.extension_requested": pgettext_lazy("audit", "申请延期"),
    "projects.extension_decided": pgettext_lazy("audit", "决定延期申请"),
    "projects.deliverable_submitted": pgettext_lazy("audit", "提交服务成果"),
    "projects.deliverable_returned": pgettext_lazy("audit", "退回服务成果修改"),
    "projects.deliverable_accepted": pgettext_lazy("audit", "验收服务成果"),
    "projects.rating_deadline_closed": pgettext_lazy("audit", "评价期限结束"),
    "ratings.rating_opened": pgettext_lazy("audit", "开放服务评价"),
    "ratings.rating_recorded": pgettext_lazy("audit", "提交服务评价"),
    "ratings.appeal_filed": pgettext_lazy("audit", "提出申诉"),
    "ratings.appeal_decided": pgettext_lazy("audit", "决定申诉"),
    "ratings.complaint_filed": pgettext_lazy("audit", "登记投诉"),
    "ratings.complaint_decided": pgettext_lazy("audit", "答复投诉"),
    "ratings.review_opened": pgettext_lazy("audit", "开启报告复审"),
    "ratings.review_recorded": pgettext_lazy("audit", "录入报告复审结论"),
    "ratings.repair_applied": pgettext_lazy("audit", "申请信用修复"),
    "ratings.repair_decided": pgettext_lazy("audit", "决定信用修复申请"),
    "ratings.sanction_imposed": pgettext_lazy("audit", "实施惩戒措施"),
    "ratings.sanction_lifted": pgettext_lazy("audit", "解除惩戒措施"),
    "ratings.grade_change_voided": pgettext_lazy("audit", "撤销等级变动"),
    "ratings.enforcement_recorded": pgettext_lazy("audit", "录入行政处理记录"),
    "ratings.enforcement_confirmed": pgettext_lazy("audit", "复核确认行政处理记录"),
    "ratings.enforcement_rejected": pgettext_lazy("audit", "复核退回行政处理记录"),
    "ratings.enforcement_revoked": pgettext_lazy("audit", "撤销行政处理决定"),
    "ratings.credit_recomputed": pgettext_lazy("audit", "重新计算信用分"),
    "marketplace.admin_write": pgettext_lazy("audit", "后台修改数据"),
    "marketplace.api_key_created": pgettext_lazy("audit", "创建接口密钥"),
    "marketplace.api_key_revoked": pgettext_lazy("audit", "撤销接口密钥"),
    "marketplace.audit_anchored": pgettext_lazy("audit", "发布审计链锚点"),
    "marketplace.notification_settings_changed": pgettext_lazy("audit", "修改消息设置"),
    "marketplace.subscribed": pgettext_lazy("audit", "订阅采购公告"),
    "marketplace.unsubscribed": pgettext_lazy("audit", "取消订阅"),
    "oversight.case_opened": pgettext_lazy("audit", "就风险提示立案"),
    "oversight.flag_dismissed": pgettext_lazy("audit", "排除风险提示"),
    "oversight.flag_raised": pgettext_lazy("audit", "产生风险提示"),
    "oversight.flag_under_review": pgettext_lazy("audit", "核查风险提示"),
    "oversight.scan_run": pgettext_lazy("audit", "运行风险扫描"),
    "projects.attachment_added": pgettext_lazy("audit", "添加采购文件附件"),
    "projects.attachment_removed": pgettext_lazy("audit", "删除采购文件附件"),
    "projects.clarification_answered": pgettext_lazy("audit", "答复答疑问题"),
    "projects.clarification_asked": pgettext_lazy("audit", "提出答疑问题"),
    "projects.message_sent": pgettext_lazy("audit", "发送服务沟通消息"),
    "projects.messages_read": pgettext_lazy("audit", "阅读服务沟通消息"),
    "projects.offer_unreachable": pgettext_lazy("audit", "中选通知无法送达"),
    "marketplace.holiday_year_replaced": pgettext_lazy("audit", "更新全年节假日安排"),
}


def action_label(action: str) -> str:
    """The sentence verb of a declared audit action (never the dotted code)."""
    phrase = SENTENCES.get(action)
    return str(phrase) if phrase is not None else gettext("其他操作")


def actor_name(entry) -> str:
    """Who acted: the organisation acted for, else the recorded actor, else the system."""
    organisation = getattr(entry, "organisation", None)
    if organisation is not None:
        return organisation.name
    if getattr(entry, "actor_id", None) is None and getattr(entry, "actor", None) is None:
        return gettext("系统")
    return getattr(entry, "actor_repr", "") or gettext("系统")


def audit_sentence(entry) -> str:
    """"2026-11-27 平湖市住房和城乡建设局 上传合同" for one audit entry."""
    return f"{date(entry.created_at)} {actor_name(entry)} {action_label(entry.action)}"


# Payload fields worth showing beside an audit sentence, with their label; other keys (ids, hashes,
# internal codes) stay in the JSON export and the API.
FIELD_LABELS = {
    "code": _("项目编号"), "uscc": _("统一社会信用代码"), "name": _("名称"), "price": _("价格"),
    "deadline": _("报名截止"), "due_on": _("期限"), "signed_on": _("合同签订日"), "score": _("信用分"),
    "grade": _("等级"), "round": _("轮次"), "requested_wd": _("申请延长（工作日）"),
    "granted_wd": _("同意延长（工作日）"), "overdue_wd": _("逾期工作日"), "mean": _("平均分"),
    "publicity_ends_on": _("公示结束"), "contract_due_on": _("合同签订期限"), "version": _("政策版本"),
    "policy_version": _("政策版本"), "registrations": _("报名数"), "started_on": _("起算日"),
    "accepted_on": _("验收日"), "document_number": _("文号"), "year": _("年份"),
}
_PLAIN_VALUE = re.compile(r"^[\d\-.:+T ]+$")


def audit_details(entry) -> str:
    """The readable part of an entry's payload: "项目编号：PH-2026-0001；价格：¥120,000.00"."""
    parts = []
    for key, label in FIELD_LABELS.items():
        value = (entry.data or {}).get(key)
        if value in (None, "") or isinstance(value, (dict, list, bool)):
            continue
        text = str(value)
        if key == "price":
            text = money(value)
        elif key.endswith(("_on", "deadline")):
            text = date(text)
        elif not (_PLAIN_VALUE.match(text) or _CJK.search(text) or key in ("code", "uscc", "grade")):
            continue
        parts.append(f"{label}：{text}" if not is_english() else f"{label}: {text}")
    return "；".join(parts) if not is_english() else "; ".join(parts)


# ---- labels for codes that apps register (credit codes, policy keys) ------------------------------

_labels: dict[str, dict[str, str]] = {}


def register_labels(kind: str, choices) -> None:
    """Apps register the labels of their codes (`display.register_labels("credit", Code.choices)`)."""
    _labels.setdefault(kind, {}).update({str(code): label for code, label in choices})


def registered_codes(kind: str) -> list[str]:
    return list(_labels.get(kind, {}))


def code_label(code, kind: str) -> str:
    label = _labels.get(kind, {}).get(str(code))
    return str(label) if label is not None else str(code)


# Every policy parameter's label comes from the one metadata table beside the defaults.
POLICY_LABELS = {key: meta.label for key, meta in policy_meta.META.items()}
register_labels("policy", POLICY_LABELS.items())
