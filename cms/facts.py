"""What counts as a marketplace fact on a notice, and who may change it.

Facts come from the marketplace (a posting's ceiling, a draw record, a sanction's dates). Editors add
explanatory text around them but never change them: the admin form disables these fields and
`NoticePage.clean()` refuses any change made outside `marketplace_write()` (revert, shell, API).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext_lazy as _

from marketplace.display import money

_writing: ContextVar[bool] = ContextVar("cms_marketplace_write", default=False)

# Model fields of NoticePage that a sourced notice takes from the marketplace.
FACT_FIELDS = (
    "title", "kind", "published_on", "region_id", "service_type_id", "selection_method",
    "source_key", "source_action", "source_entry_id", "object_type", "object_id", "facts", "withdrawn_at", "withdrawn_reason",
)
# The subset that appears as inputs in the admin edit form (disabled for sourced notices).
LOCKED_FORM_FIELDS = ("title", "published_on", "region", "service_type", "selection_method")

# Display labels for keys of the `facts` JSON (unknown keys are shown with their raw name).
FACT_LABELS = {
    "code": _("项目编号"),
    "title": _("项目名称"),
    "owner": _("项目业主"),
    "region": _("所属区域"),
    "service_type": _("服务类型"),
    "method": _("选取方式"),
    "funding": _("资金来源"),
    "ceiling": _("最高限价（元）"),
    "floor": _("最低限价（元）"),
    "awarded_price": _("中选价（元）"),
    "scope": _("服务范围"),
    "urgent": _("紧急项目"),
    "requested_limit_wd": _("服务时限（工作日）"),
    "published_at": _("发布时间"),
    "registration_deadline": _("报名截止时间"),
    "status": _("项目状态"),
    "agency": _("中选机构"),
    "agency_uscc": _("统一社会信用代码"),
    "signed_on": _("签订日期"),
    "kind": _("处理类型"),
    "uscc": _("统一社会信用代码"),
    "starts_on": _("起始日"),
    "ends_on": _("截止日"),
    "reason": _("原因"),
    "revision_reason": _("变更原因"),
    "agency_name": _("机构名称"),
    "grade_from": _("原信用等级"),
    "grade_to": _("现信用等级"),
    "score": _("信用分"),
    "grade_date": _("等级变更日期"),
    "policy_version": _("信用政策版本"),
    "audit_entry": _("审计记录编号"),
    "anchor_date": _("锚点日期"),
    "chain_length": _("审计链记录数"),
    "chain_hash": _("审计链哈希值"),
}


def is_marketplace_write() -> bool:
    return _writing.get()


@contextmanager
def marketplace_write():
    """Mark the enclosed saves as coming from the marketplace (publishing.py), which may change facts."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


# Lists shown in their own sections of a posting notice (cms/talk.py), not as table rows.
TALK_KEYS = ("clarifications", "attachments")


def talk_lines(facts: dict | None) -> list[str]:
    """A posting notice's answered questions and attachments as plain lines (for feeds)."""
    facts = facts or {}
    lines = [str(_("问%(n)s：%(q)s 答：%(a)s") % {"n": q.get("number"), "q": q.get("question"), "a": q.get("answer")})
             for q in facts.get("clarifications") or []]
    lines += [str(_("附件：%(name)s") % {"name": a.get("name")}) for a in facts.get("attachments") or []]
    return lines


# Amounts stored as plain decimals ("120000.00"); shown in the one money format (¥120,000.00).
MONEY_KEYS = frozenset({"ceiling", "floor", "awarded_price"})


def fact_rows(facts: dict | None, *, skip: tuple[str, ...] = ("draw", *TALK_KEYS)) -> list[tuple[str, object]]:
    """(label, value) pairs in a reading order: known keys in FACT_LABELS order, then the rest."""
    facts = facts or {}
    order = {key: n for n, key in enumerate(FACT_LABELS)}
    keys = sorted((k for k in facts if k not in skip and facts[k] not in (None, "")),
                  key=lambda k: (order.get(k, len(order)), k))
    return [(FACT_LABELS.get(key, key), money(facts[key]) if key in MONEY_KEYS else facts[key]) for key in keys]
