"""The public supervision log (监督日志) of a posting: its dated steps, read from the audit log.

Only a whitelist of actions is shown, each with a fixed label and at most a public detail (a count, a
method, a date, an outcome, the rating level); never a quote before it is public, a person's name, an
objection's or a 补正 request's text, or who did it. The same list is served by the posting's API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.models import AuditEntry
from projects.models import Project

METHODS = dict(Project.Method.choices)


def _count(data) -> str:
    n = data.get("registrations")
    return _("共%(n)s家报名") % {"n": n} if n is not None else ""


def _method(data) -> str:
    return str(METHODS.get(data.get("method"), ""))


def _until(key: str, template) -> Callable[[dict], str]:
    return lambda data: str(template) % {"day": str(data[key])[:10]} if data.get(key) else ""


def _extension(data) -> str:
    if data.get("decision") == "refused":
        return _("不同意延期")
    return _("同意延长%(n)s个工作日") % {"n": data.get("granted_wd", 0)}


def _revision(data) -> str:
    return _("第%(n)s次变更") % {"n": data["revision"]} if data.get("revision") else ""


# action → (label, detail(data) -> str or None); the order of the steps is the order of the entries.
STEPS: dict[str, tuple] = {
    # A direct pick has no registration: its publication shows no deadline.
    "projects.published": (gettext_lazy("发布采购公告"),
                           lambda d: "" if d.get("method") == "direct" else _until(
                               "deadline", gettext_lazy("报名截止 %(day)s"))(d)),
    "projects.revised": (gettext_lazy("发布变更公告"), _revision),
    "projects.cancelled": (gettext_lazy("项目取消"), None),
    "projects.registration_closed": (gettext_lazy("报名截止"), _count),
    "projects.provider_selected": (gettext_lazy("完成选取"), _method),
    "projects.round_failed": (gettext_lazy("流标"), None),
    "projects.selection_abandoned": (gettext_lazy("中选机构放弃或逾期未确认"), None),
    "projects.result_published": (gettext_lazy("中选结果公示"), _until("publicity_ends_on", gettext_lazy("公示至 %(day)s"))),
    "projects.objection_filed": (gettext_lazy("收到质疑"), None),
    "projects.objection_answered": (gettext_lazy("答复质疑"),
                                    lambda d: _("质疑成立") if d.get("upheld") else _("质疑不成立")),
    "projects.result_withdrawn": (gettext_lazy("撤销中选结果"), None),
    "projects.publicity_ended": (gettext_lazy("公示结束"), None),
    "projects.contract_uploaded": (gettext_lazy("签订服务合同"), _until("signed_on", gettext_lazy("签订日 %(day)s"))),
    "projects.materials_complete": (gettext_lazy("资料齐全，服务开始计时"), None),
    "projects.clock_paused": (gettext_lazy("补正暂停计时"), None),
    "projects.clock_resumed": (gettext_lazy("补正完成，恢复计时"), None),
    "projects.extension_requested": (gettext_lazy("申请延期"), None),
    "projects.extension_decided": (gettext_lazy("延期决定"), _extension),
    "projects.deliverable_submitted": (gettext_lazy("提交服务成果"), None),
    "projects.deliverable_returned": (gettext_lazy("成果退回修改"), None),
    "projects.deliverable_accepted": (gettext_lazy("成果验收通过"), None),
    "ratings.rating_recorded": (gettext_lazy("服务评价"), lambda d: _(d["result"]) if d.get("result") else ""),
}
# Steps recorded on another object (the registration, the job, the rating) that name the project in `project`.
BY_PAYLOAD = [a for a in STEPS if a not in {"projects.published", "projects.revised", "projects.cancelled",
                                            "projects.registration_closed", "projects.provider_selected",
                                            "projects.round_failed", "projects.result_published",
                                            "projects.result_withdrawn", "projects.publicity_ended",
                                            "projects.contract_uploaded"}]


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    step: str  # the audit action (for API consumers)
    label: str
    detail: str

    @property
    def on(self) -> dt.date:
        return timezone.localdate(self.at)

    def as_json(self) -> dict:
        return {"on": self.on.isoformat(), "at": self.at.isoformat(), "step": self.step, "label": self.label,
                "detail": self.detail}


def supervision_log(project: Project) -> list[Step]:
    """The posting's public steps, oldest first (one query)."""
    entries = AuditEntry.objects.filter(
        Q(object_type=project._meta.label_lower, object_id=str(project.pk), action__in=list(STEPS))
        | Q(action__in=BY_PAYLOAD, data__project=project.pk)).only("created_at", "action", "data").order_by("id")
    out = []
    for entry in entries:
        label, detail = STEPS[entry.action]
        out.append(Step(at=entry.created_at, step=entry.action, label=str(label),
                        detail=(detail(entry.data or {}) or "") if detail else ""))
    return out
