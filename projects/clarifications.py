"""Clarifications (答疑) on an open posting (docs/rules.md §12.1).

Any agency eligible for the posting may ask while the window is open, up to
`clarification_question_cutoff_wd` working days before it closes; the owner answers publicly within
`clarification_answer_wd` working days. The asker is never shown to the owner or the public: the
question is published without a name, the owner's notification names only the project, and the audit
payload carries no agency. The notifications (question → owner, with the answer deadline; answer →
registrants and the asker's agency) are declared in `projects/notifications.py` on the audit actions. An answer that changes the scope, the price band or the service time limit
is published together with a revision through `projects.services.revise` (whose rules extend the
window for material changes).

The first two functions are the pure rules (no database); the rest are the write path.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import Agency
from marketplace import audit, workdays
from marketplace.policy import Policy, current_policy
from projects import selection as rules
from projects.eligibility import refusal_reasons
from projects.models import Clarification, Project
from projects.selectors import agency_facts, requirements_of
from projects.services import revise
from projects.services._base import local_date, locked, now_or, require
from projects.states import registration_open

QUESTION_MAX_CHARS = 2000
ANSWER_MAX_CHARS = 5000


# ---- pure rules -----------------------------------------------------------------------------------

def question_cutoff(deadline: dt.datetime, policy: Policy, calendar) -> dt.datetime:
    """The last moment to ask: `clarification_question_cutoff_wd` working days before the deadline's
    date, at the deadline's time of day (deadline Fri 17:00, 2 working days → Wed 17:00)."""
    local = timezone.localtime(deadline)
    day, remaining = local.date(), int(policy.clarification_question_cutoff_wd)
    while remaining:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def answer_due(asked_at: dt.datetime, policy: Policy, calendar) -> dt.datetime:
    """`clarification_answer_wd` working days after the question's date, at the registration close time."""
    day = calendar.add_working_days(timezone.localtime(asked_at).date(), int(policy.clarification_answer_wd))
    return rules.close_time_on(day, policy)


# ---- writes ---------------------------------------------------------------------------------------

def _clean(text: str, *, what_zh: str, what_en: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"请填写{what_zh} / the {what_en} is required", code="required")
    if len(text) > limit:
        raise ValidationError(f"{what_zh}不得超过 {limit} 字 / the {what_en} must not exceed {limit} characters",
                              code="length")
    return text


def check_may_ask(project: Project, agency: Agency, now: dt.datetime, policy: Policy) -> None:
    """Refuse (ValidationError) unless the window is open, the cutoff not passed and the agency eligible."""
    if project.method == Project.Method.DIRECT or not registration_open(project) \
            or project.registration_deadline is None or now >= project.registration_deadline:
        raise ValidationError("该项目不在报名期，不能提问 / the posting is not open; questions are closed")
    cutoff = question_cutoff(project.registration_deadline, policy, workdays.get_calendar())
    if now >= cutoff:
        moment = timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(f"提问截止时间为 {moment}（报名截止前 {policy.clarification_question_cutoff_wd} 个"
                              f"工作日） / questions closed at {moment}", code="cutoff")
    today = local_date(now)
    reasons = refusal_reasons(agency_facts(agency, on=today), requirements_of(project), on=today)
    if reasons:
        raise ValidationError(["只有符合条件的机构可以提问 / only eligible agencies may ask",
                               *[str(r) for r in reasons]], code="ineligible")


@transaction.atomic
def ask(*, by, project: Project, agency: Agency, question: str, now: dt.datetime | None = None) -> Clarification:
    """An eligible agency's question; the owner is told (without the asker) and must answer by `answer_due`."""
    require(by, "projects.register", agency)
    now = now_or(now)
    policy = current_policy()
    question = _clean(question, what_zh="问题", what_en="question", limit=QUESTION_MAX_CHARS)
    project = locked(project)
    check_may_ask(project, agency, now, policy)
    number = (project.clarifications.aggregate(n=Max("number"))["n"] or 0) + 1
    row = Clarification.objects.create(project=project, number=number, question=question, asked_at=now,
                                       asked_by=by, agency=agency,
                                       answer_due=answer_due(now, policy, workdays.get_calendar()))
    audit.record(action="projects.clarification_asked", by=by, obj=row, organisation=agency.organisation_id,
                 now=now, reason=question,
                 data={"project": project.pk, "code": project.code, "clarification": row.pk, "number": number,
                       "answer_due": row.answer_due})
    return row


@transaction.atomic
def answer(*, by, clarification: Clarification, text: str, changes: dict | None = None, reason: str = "",
           now: dt.datetime | None = None) -> Clarification:
    """The owner's public answer. With `changes` (revisable fields; not None) the posting is revised in the
    same transaction: the revision's own rules apply (a material change extends the window, an empty
    change is refused)."""
    project = clarification.project
    require(by, "projects.edit", project)
    now = now_or(now)
    text = _clean(text, what_zh="答复", what_en="answer", limit=ANSWER_MAX_CHARS)
    row = locked(clarification)
    if row.is_answered:
        raise ValidationError("该问题已答复，答复不能修改 / already answered; an answer cannot be changed")
    if project.status == Project.Status.DRAFT or project.status == Project.Status.CANCELLED:
        raise ValidationError("项目不在公告期 / the posting is not public")
    revision = None
    if changes is not None:  # the owner said the answer changes the posting: {} is refused as "nothing changed"
        revision = revise(by=by, project=project, changes=changes, now=now,
                          reason=(reason or "").strip() or f"答疑 问{row.number}：{text[:200]}")
    row.answer, row.answered_at, row.answered_by, row.revision = text, now, by, revision
    row.save(update_fields=["answer", "answered_at", "answered_by", "revision"])
    late = now > row.answer_due
    audit.record(action="projects.clarification_answered", by=by, obj=row, organisation=project.owner_id, now=now,
                 reason=text, data={"project": project.pk, "code": project.code, "clarification": row.pk,
                                    "number": row.number, "revision": revision.number if revision else None,
                                    "late": late})
    return row


# ---- reads ----------------------------------------------------------------------------------------

PUBLIC_FIELDS = ("number", "question", "asked_at", "answer_due", "answer", "answered_at")


def public_clarifications(project: Project) -> list[dict]:
    """The posting's questions and answers as shown to everyone, the owner included: never the asker."""
    rows = project.clarifications.order_by("number").values(*PUBLIC_FIELDS, "revision__number")
    return [{**{k: row[k] for k in PUBLIC_FIELDS}, "revision": row["revision__number"]} for row in rows]


def may_ask(project: Project, agency: Agency | None, now: dt.datetime) -> tuple[bool, list[str]]:
    """Whether `agency` may ask now, and if not the reasons to show (house "中文 / English" messages; the
    posting page shows one language of each)."""
    if agency is None:
        return False, []
    try:
        check_may_ask(project, agency, now, current_policy())
    except ValidationError as exc:
        return False, list(exc.messages)
    return True, []


def cutoff_of(project: Project) -> dt.datetime | None:
    if project.registration_deadline is None or project.method == Project.Method.DIRECT:
        return None
    return question_cutoff(project.registration_deadline, current_policy(), workdays.get_calendar())
