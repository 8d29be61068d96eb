"""The notifications the projects app declares (see `marketplace.notify_registry`).

Each step that starts someone's deadline or needs their action tells them, with the deadline and a
link to where they act. The offer is special: it is announced inside the selection's own transaction
(`announce_offer`), and its confirmation deadline is computed from the moment the agency's members
were notified; an agency nobody can be told about is recorded (`projects.offer_unreachable`) and its
owner is told instead. Matching postings, revisions and results reach subscribers.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils.translation import gettext_noop as _

from marketplace import audit, subscriptions
from marketplace.notify import Text
from marketplace.notify_registry import Message, notification, regulators_covering, rules_for, send
from projects.delivery.messages import thread_url
from projects.models import Clarification, JobMessage, Objection, Project, Registration

OFFER_KEY = "offer:{registration}"


def _project(pk) -> Project | None:
    return Project.objects.select_related("owner", "region", "service_type").filter(pk=pk).first()


def _entry_project(entry) -> Project | None:
    if entry.object_type == "projects.project":
        return _project(int(entry.object_id))
    return _project(entry.data.get("project"))


def _to_owner(entry) -> list[Message]:
    """The owner of the entry's project, told with the project's facts and a link to it."""
    project = _entry_project(entry)
    return [Message(recipients=project.owner, params=_facts(project), url=_url(project))] if project else []


def _url(project: Project) -> str:
    return reverse("projects:detail", args=[project.code])


def _agency_org(registration: Registration):
    return registration.agency.organisation


def _facts(project: Project) -> dict:
    return {"code": project.code, "title": project.title}


# ---- the offer ----------------------------------------------------------------------------------


def reachable_members(organisation_id: int) -> list:
    """Active members of an organisation with a verified email address (the people an offer can reach)."""
    from marketplace.models import User

    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    return list(User.objects.filter(memberships__organisation_id=organisation_id, is_active=True,
                                    pk__in=verified).distinct())


def offer_message(project: Project, registration: Registration) -> Message:
    return Message(recipients=_agency_org(registration), params=_facts(project), deadline=registration.confirm_by,
                   url=_url(project), key=OFFER_KEY.format(registration=registration.pk))


def announce_offer(project: Project, registration: Registration, *, now: dt.datetime, deadline_from) -> dt.datetime:
    """Tell the offered agency's members inside the selection's transaction; returns the confirmation deadline.

    The deadline runs from the moment the notification is recorded (`deadline_from(notified_at)`). When no
    active member has a verified email, `projects.offer_unreachable` is recorded and the owner is told.
    """
    notified_at = now
    registration.confirm_by = deadline_from(notified_at)
    (rule,) = rules_for("projects.provider_selected")
    send(rule, offer_message(project, registration), key=OFFER_KEY.format(registration=registration.pk),
         now=notified_at)
    if not reachable_members(registration.agency.organisation_id):
        audit.record(action="projects.offer_unreachable", obj=registration, organisation=project.owner_id,
                     now=now, data={"project": project.pk, "code": project.code, "agency": registration.agency_id,
                                    "confirm_by": registration.confirm_by})
    return registration.confirm_by


@notification("projects.provider_selected", kind="offer", label=_("待确认中选"), deadline=True, inline=True,
              title=_("请确认中选：%(code)s"),
              body=_("项目 %(code)s「%(title)s」选中贵机构，请在 %(deadline)s 前确认或放弃；逾期未确认按放弃处理。"))
def provider_selected(entry):
    project = _project(int(entry.object_id))
    registration = Registration.objects.filter(project=project, agency_id=entry.data["agency"],
                                               offer=Registration.Offer.OFFERED).select_related("agency").first()
    if project is None or registration is None or registration.confirm_by is None:
        return []
    return [offer_message(project, registration)]


@notification("projects.offer_unreachable", kind="offer_unreachable", label=_("中选通知无法送达"),
              title=_("中选通知无法送达：%(code)s"),
              body=_("项目 %(code)s 选中的机构 %(agency)s 没有已验证邮箱的有效成员，无法收到确认通知；"
                     "确认期限为 %(deadline)s，请通过其他方式联系该机构。"))
def offer_unreachable(entry):
    registration = Registration.objects.select_related("agency", "project__owner").filter(
        pk=int(entry.object_id)).first()
    if registration is None:
        return []
    project = registration.project
    return [Message(recipients=project.owner, params={**_facts(project), "agency": registration.agency.name},
                    deadline=entry.data["confirm_by"], url=_url(project))]


# ---- postings: subscribers and invitations ---------------------------------------------------------


def _subscriber_messages(project: Project) -> list[Message]:
    params = {**_facts(project), "service": project.service_type.name, "region": project.region.name}
    return [Message(recipients=sub.user, params=params, url=_url(project), key=f"sub{sub.pk}", subscription=sub)
            for sub in subscriptions.matching(service_type=project.service_type_id, region=project.region_id)]


@notification("projects.published", kind="posting_new", label=_("订阅：新采购公告"),
              title=_("新采购公告：%(title)s"),
              body=_("%(region)s 发布了%(service)s需求 %(code)s「%(title)s」，符合您的订阅。"))
def published_to_subscribers(entry):
    project = _entry_project(entry)
    return _subscriber_messages(project) if project else []


@notification("projects.published", kind="invitation", label=_("邀请报名"), deadline=True,
              title=_("邀请报名：%(code)s"),
              body=_("业主邀请贵机构参加项目 %(code)s「%(title)s」，报名截止 %(deadline)s。"))
def published_invitations(entry):
    project = _entry_project(entry)
    if project is None or project.method != Project.Method.INVITATION:
        return []
    return [Message(recipients=agency.organisation, params=_facts(project), deadline=project.registration_deadline,
                    url=_url(project), key=f"a{agency.pk}")
            for agency in project.invited_agencies.select_related("organisation")]


@notification("projects.revised", kind="posting_revised", label=_("订阅：公告变更"),
              title=_("采购公告变更：%(title)s"),
              body=_("项目 %(code)s「%(title)s」的公告已变更（%(region)s，%(service)s），请查看最新内容。"))
def revised_to_subscribers(entry):
    project = _entry_project(entry)
    if project is None:
        return []
    messages = _subscriber_messages(project)
    registered = {r.agency.organisation_id: r.agency.organisation
                  for r in project.registrations.select_related("agency__organisation")}
    params = {**_facts(project), "service": project.service_type.name, "region": project.region.name}
    messages += [Message(recipients=org, params=params, url=_url(project), key=f"org{pk}")
                 for pk, org in registered.items()]
    return messages


@notification("projects.result_published", kind="result", label=_("订阅：结果公示"), deadline=True,
              title=_("结果公示：%(title)s"),
              body=_("项目 %(code)s「%(title)s」的选取结果已公示，公示期至 %(deadline)s，对结果有异议的报名机构可在此前提出质疑。"))
def result_published(entry):
    project = _entry_project(entry)
    if project is None or project.publicity_ends_on is None:
        return []
    messages = _subscriber_messages(project)
    params = {**_facts(project), "service": project.service_type.name, "region": project.region.name}
    for reg in project.registrations.select_related("agency__organisation"):
        messages.append(Message(recipients=reg.agency.organisation, params=params, url=_url(project),
                                key=f"reg{reg.pk}"))
    for message in messages:
        message.deadline = project.publicity_ends_on
    return messages


# ---- selection and award -----------------------------------------------------------------------------


@notification("projects.registration_closed", kind="window_closed", label=_("报名已截止"),
              title=_("报名已截止：%(code)s"),
              body=_("项目 %(code)s「%(title)s」报名已截止，共 %(count)s 家报名，请进行选取。"))
def registration_closed(entry):
    project = _entry_project(entry)
    if project is None:
        return []
    return [Message(recipients=project.owner, params={**_facts(project), "count": entry.data["registrations"]},
                    url=_url(project))]


@notification("projects.low_quote_flagged", kind="low_quote", label=_("报价异常低需说明"), deadline=True,
              title=_("报价异常低，请书面说明：%(code)s"),
              body=_("贵机构在项目 %(code)s「%(title)s」的报价明显低于其他报价，请在 %(deadline)s 前提交书面说明。"))
def low_quote_flagged(entry):
    registration = Registration.objects.select_related("agency__organisation", "project").filter(
        pk=int(entry.object_id)).first()
    if registration is None or registration.justification_due is None:
        return []
    return [Message(recipients=_agency_org(registration), params=_facts(registration.project),
                    deadline=registration.justification_due, url=_url(registration.project))]


@notification("projects.low_quote_justified", kind="low_quote_justified", label=_("低价说明待审查"),
              title=_("低价说明已提交：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的报价说明已提交，请审查并决定是否接受。"))
def low_quote_justified(entry):
    return _to_owner(entry)


@notification("projects.selection_confirmed", kind="selection_answered", label=_("中选答复"),
              title=_("中选机构已确认：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的中选机构已确认，结果进入公示。"))
def selection_confirmed(entry):
    return _to_owner(entry)


@notification("projects.selection_abandoned", kind="selection_answered",
              title=_("中选机构放弃：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的中选机构放弃或逾期未确认，系统已按顺序处理。"))
def selection_abandoned(entry):
    return _to_owner(entry)


@notification("projects.round_failed", kind="round_failed", label=_("流标"),
              title=_("项目流标：%(code)s"),
              body=_("项目 %(code)s「%(title)s」本轮流标，可重新发布。"))
def round_failed(entry):
    return _to_owner(entry)


@notification("projects.objection_filed", kind="objection_filed", label=_("质疑待答复"), deadline=True,
              title=_("收到质疑：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的结果收到质疑，答复期限 %(deadline)s，答复前合同签订暂停。"))
def objection_filed(entry):
    objection = Objection.objects.select_related("project__owner", "project__service_type").filter(
        pk=int(entry.object_id)).first()
    if objection is None:
        return []
    project = objection.project
    recipients = [project.owner, *regulators_covering(project, project.service_type.department_id)]
    return [Message(recipients=recipients, params=_facts(project), deadline=objection.answer_due_on,
                    url=reverse("projects:objection_answer", args=[objection.pk]))]


@notification("projects.objection_answered", kind="objection_answered", label=_("质疑已答复"),
              title=_("质疑已答复：%(code)s"),
              body=_("您对项目 %(code)s「%(title)s」提出的质疑已答复：%(outcome)s。"))
def objection_answered(entry):
    objection = Objection.objects.select_related("project", "registration__agency__organisation").filter(
        pk=int(entry.object_id)).first()
    if objection is None:
        return []
    outcome = Text(_("质疑成立") if entry.data["upheld"] else _("质疑不成立"))
    return [Message(recipients=objection.registration.agency.organisation,
                    params={**_facts(objection.project), "outcome": outcome}, url=_url(objection.project))]


@notification("projects.publicity_ended", kind="contract_due", label=_("合同待签订"), deadline=True,
              title=_("公示结束，请签订合同：%(code)s"),
              body=_("项目 %(code)s「%(title)s」公示期结束，请在 %(deadline)s 前签订并上传合同。"))
def publicity_ended(entry):
    project = _entry_project(entry)
    if project is None or project.selected_id is None:
        return []
    agency_org = project.selected.agency.organisation
    return [Message(recipients=[project.owner, agency_org], params=_facts(project),
                    deadline=entry.data["contract_due_on"], url=_url(project))]


# ---- talk: clarifications and job messages (docs/rules.md §12) ----------------------------------------
# The owner's message names the project and the question, never the asking agency (the payload has none).


def _clarification(entry):
    return Clarification.objects.select_related("project__owner", "agency__organisation").filter(
        pk=entry.data.get("clarification")).first()


def _clarifications_url(project: Project) -> str:
    return _url(project) + "#clarifications"


@notification("projects.clarification_asked", kind="clarification_asked", label=_("新的答疑问题"), deadline=True,
              title=_("新的答疑问题：%(code)s 问%(number)s"),
              body=_("项目 %(code)s「%(title)s」收到答疑问题（问%(number)s）：\n%(question)s\n\n"
                     "请在 %(deadline)s 前公开答复。"))
def clarification_asked(entry):
    row = _clarification(entry)
    if row is None:
        return []
    project = row.project
    return [Message(recipients=project.owner, params={**_facts(project), "number": row.number,
                                                       "question": row.question},
                    deadline=row.answer_due, url=_clarifications_url(project))]


@notification("projects.clarification_answered", kind="clarification_answered", label=_("答疑已答复"),
              title=_("答疑已答复：%(code)s 问%(number)s"),
              body=_("项目 %(code)s「%(title)s」的答疑已公开答复。\n问：%(question)s\n答：%(answer)s"))
def clarification_answered(entry):
    """Every registrant's organisation and the asker's (told, never named to the others)."""
    row = _clarification(entry)
    if row is None or not row.is_answered:
        return []
    project = row.project
    orgs = {r.agency.organisation_id: r.agency.organisation
            for r in project.registrations.select_related("agency__organisation")}
    orgs.setdefault(row.agency.organisation_id, row.agency.organisation)
    return [Message(recipients=list(orgs.values()),
                    params={**_facts(project), "number": row.number, "question": row.question, "answer": row.answer},
                    url=_clarifications_url(project))]


@notification("projects.message_sent", kind="job_message", label=_("服务沟通新消息"),
              title=_("%(sender)s发来新消息：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的服务沟通有新消息：\n%(message)s"))
def message_sent(entry):
    """The other side of the job (`side` names the sender's)."""
    message = JobMessage.objects.select_related("job__project__owner", "job__agency__organisation").filter(
        pk=entry.data.get("message")).first()
    if message is None:
        return []
    job, project = message.job, message.job.project
    from_owner = entry.data["side"] == "owner"
    other = job.agency.organisation if from_owner else project.owner
    sender = Text(_("业主") if from_owner else _("服务机构"))
    return [Message(recipients=other, params={**_facts(project), "sender": sender, "message": message.body[:500]},
                    url=thread_url(job))]
