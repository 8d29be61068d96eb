"""Marketplace events → notices. Subscribed in CmsConfig.ready() through marketplace.audit.subscribe.

Each handler receives the committed AuditEntry of a declared action (see the apps' `events.py`), reads
the object it names and the declared payload fields, and calls the one write path in cms.publishing. Handlers are safe to replay (publishing is idempotent by source key).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cms import publishing, talk
from cms.models import NoticeKind

logger = logging.getLogger(__name__)



def _object(entry):
    """The model instance an audit entry names, or None when the model/row no longer exists."""
    if not entry.object_type or not entry.object_id:
        return None
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=entry.object_id).first()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _project_of(obj):
    from projects.models import Project

    if isinstance(obj, Project):
        return obj
    project = getattr(obj, "project", None)
    return project if isinstance(project, Project) else None


def project_facts(project) -> dict:
    """The posting's facts as display strings (frozen into the notice and its revisions)."""
    facts = {
        "code": project.code,
        "title": project.title,
        "owner": project.owner.name,
        "region": project.region.name,
        "service_type": project.service_type.name,
        "method": project.get_method_display(),
        "funding": project.get_funding_display(),
        "ceiling": _text(project.ceiling),
        "floor": _text(project.floor),
        "urgent": _text(project.urgent),
        "requested_limit_wd": _text(project.requested_limit_wd),
        "published_at": _text(project.published_at),
        "registration_deadline": _text(project.registration_deadline),
        "scope": project.scope,
    }
    return {key: value for key, value in facts.items() if value not in ("", None)}


def _project_fields(project) -> dict:
    return {"region_id": project.region_id, "service_type_id": project.service_type_id, "method": project.method}


def _agency(agency_id):
    from agencies.models import Agency

    if agency_id in (None, ""):
        return None
    return Agency.objects.filter(pk=agency_id).first()


# ---- handlers -------------------------------------------------------------------------------------

def on_posting(entry) -> None:
    project = _project_of(_object(entry))
    if project is None:
        logger.warning("posting notice: %s names no project", entry)
        return
    facts = project_facts(project)
    if entry.action == "projects.revised" and entry.reason:
        facts["revision_reason"] = entry.reason
    facts.update(talk.posting_facts(project))  # answered clarifications and attachments (cms/talk.py)
    published_on = timezone.localtime(project.published_at).date() if project.published_at else None
    publishing.publish_notice(
        kind=NoticeKind.POSTING, object_type="projects.project", object_id=project.pk, source_action=entry.action,
        entry_id=entry.pk, title=_("%(title)s 采购公告") % {"title": project.title}, facts=facts, published_on=published_on,
        **_project_fields(project))


def on_posting_cancelled(entry) -> None:
    project = _project_of(_object(entry))
    object_id = project.pk if project is not None else entry.object_id
    publishing.withdraw_notice(kind=NoticeKind.POSTING, object_type="projects.project", object_id=object_id,
                               reason=entry.reason or _("项目已取消"), source_action=entry.action, entry_id=entry.pk)


def on_result(entry) -> None:
    project = _project_of(_object(entry))
    if project is None:
        logger.warning("result notice: %s names no project", entry)
        return
    data = entry.data
    agency = _agency(data["agency"])
    facts = project_facts(project)
    if agency is not None:
        facts["agency"] = agency.name
        facts["agency_uscc"] = agency.uscc
    if data.get("price") not in (None, ""):
        facts["awarded_price"] = _text(Decimal(str(data["price"])))
    if data.get("draw_record"):
        facts["draw"] = data["draw_record"]
    publishing.publish_notice(
        kind=NoticeKind.RESULT, object_type="projects.project", object_id=project.pk, source_action=entry.action,
        entry_id=entry.pk, title=_("%(title)s 中选公告") % {"title": project.title}, facts=facts,
        published_on=timezone.localtime(entry.created_at).date(), **_project_fields(project))


def on_result_withdrawn(entry) -> None:
    project = _project_of(_object(entry))
    object_id = project.pk if project is not None else entry.object_id
    publishing.withdraw_notice(kind=NoticeKind.RESULT, object_type="projects.project", object_id=object_id,
                               reason=entry.reason or _("中选结果已撤销"), source_action=entry.action, entry_id=entry.pk)


def on_contract(entry) -> None:
    obj = _object(entry)
    project = _project_of(obj)
    if project is None:
        logger.warning("contract notice: %s names no project", entry)
        return
    data = entry.data
    facts = project_facts(project)
    agency = _agency(data["agency"])
    if agency is not None:
        facts["agency"] = agency.name
        facts["agency_uscc"] = agency.uscc
    if project.awarded_price is not None:
        facts["awarded_price"] = _text(project.awarded_price)
    if data.get("signed_on"):
        facts["signed_on"] = str(data["signed_on"])
    publishing.publish_notice(
        kind=NoticeKind.CONTRACT, object_type=entry.object_type, object_id=entry.object_id,
        source_action=entry.action, entry_id=entry.pk, title=_("%(title)s 合同公告") % {"title": project.title},
        facts=facts,
        published_on=timezone.localtime(entry.created_at).date(), **_project_fields(project))


def on_sanction(entry) -> None:
    data = entry.data
    agency = _agency(data["agency"])
    sanction = _object(entry)
    label = str(sanction.get_kind_display()) if sanction is not None else _("信用惩戒")
    name = agency.name if agency is not None else data["uscc"]
    facts = {
        "agency": name,
        "uscc": data["uscc"],
        "kind": label,
        "starts_on": str(data.get("starts_on") or ""),
        "ends_on": str(data.get("ends_on") or ""),
        "reason": entry.reason,
    }
    publishing.publish_notice(
        kind=NoticeKind.CREDIT, object_type=entry.object_type, object_id=entry.object_id,
        source_action=entry.action, entry_id=entry.pk,
        title=_("关于%(agency)s的信用公示（%(kind)s）") % {"agency": name, "kind": label},
        facts={key: value for key, value in facts.items() if value},
        region_id=agency.region_id if agency is not None else None,
        published_on=timezone.localtime(entry.created_at).date())


def on_sanction_lifted(entry) -> None:
    publishing.withdraw_notice(kind=NoticeKind.CREDIT, object_type=entry.object_type, object_id=entry.object_id,
                               reason=entry.reason or _("惩戒已解除"), source_action=entry.action, entry_id=entry.pk)


# ---- grade changes (信用公示) ------------------------------------------------------------------------
#
# Each grade change publishes a notice keyed by the agency, the date and the new grade, naming the
# audit entry of the change. Whenever an agency's stored credit changes, its grade notices are checked
# again: a notice stands while the ledger lines recorded before it, in their current state, still give
# its grade on its date. One whose cause was since voided, corrected, put under appeal or repaired is
# withdrawn, and republished once the ledger bears it out again (an appeal rejected). A new notice is
# published only when the grade differs from that of the latest notice still standing, so a change that
# merely undoes a withdrawn one publishes nothing (docs/rules.md §10).

GRADE_OBJECT = "agencies.agency"


def _grade_object_id(agency_id: int, date: str, grade: str) -> str:
    return f"{agency_id}-{date.replace('-', '')}-{grade.lower()}"


def _grade_notices(agency_id: int) -> list:
    from cms.models import NoticePage

    pages = NoticePage.objects.filter(kind=NoticeKind.CREDIT, object_type=GRADE_OBJECT,
                                      object_id__startswith=f"{agency_id}-")
    return sorted(pages, key=lambda page: (page.facts.get("grade_date", ""), page.pk))


class _Ledger:
    """The agency's ledger lines in their current state, graded at a date under the policy version a notice
    used, counting only the lines recorded before a given audit entry (lines with no entry count)."""

    def __init__(self, agency_id: int):
        from marketplace.models import AuditEntry
        from ratings.selectors import ledger_events

        self.events = ledger_events(agency_id)
        self.recorded = {int(object_id): pk for object_id, pk in AuditEntry.objects.filter(
            action="agencies.credit_event_recorded", object_type="agencies.creditevent",
            object_id__in=[str(e.ref) for e in self.events]).values_list("object_id", "pk")}
        self.policies: dict = {}

    def grade_on(self, date: str, version, *, before_entry: int) -> str:
        from marketplace.models import PolicyVersion
        from marketplace.policy import current_policy, policy_version
        from ratings import scoring

        if version not in self.policies:
            try:
                self.policies[version] = policy_version(int(version))
            except (PolicyVersion.DoesNotExist, TypeError, ValueError):
                self.policies[version] = current_policy()
        events = [e for e in self.events if self.recorded.get(e.ref, 0) < before_entry]
        return scoring.score(events, as_of=dt.date.fromisoformat(date), policy=self.policies[version]).grade


def _publish_grade(agency, facts: dict, entry) -> None:
    publishing.publish_notice(
        kind=NoticeKind.CREDIT, object_type=GRADE_OBJECT,
        object_id=_grade_object_id(agency.pk, facts["grade_date"], facts["grade_to"]),
        source_action=entry.action, entry_id=entry.pk,
        title=_("关于%(agency)s的信用等级变更公示（%(from)s级→%(to)s级）") % {
            "agency": agency.name, "from": facts["grade_from"], "to": facts["grade_to"]},
        facts=facts, region_id=agency.region_id, published_on=timezone.localtime(entry.created_at).date())


def _standing_grade_notices(agency, ledger: _Ledger, entry) -> tuple[list, list]:
    """Withdraw the agency's grade notices the ledger no longer bears out, republish those it bears out
    again; returns (all notices, those standing), oldest first."""
    notices, standing = _grade_notices(agency.pk), []
    for page in notices:
        facts = page.facts
        holds = ledger.grade_on(facts["grade_date"], facts.get("policy_version"),
                                before_entry=facts["audit_entry"]) == facts["grade_to"]
        if holds:
            standing.append(page)
            if page.withdrawn_at:
                _publish_grade(agency, facts, entry)
        elif not page.withdrawn_at:
            publishing.withdraw_notice(
                kind=NoticeKind.CREDIT, object_type=GRADE_OBJECT, object_id=page.object_id,
                source_action=entry.action, entry_id=entry.pk,
                reason=_("所依据的信用记录已撤销、更正、申诉或修复，该机构%(date)s的信用等级不再是%(grade)s级，本公示撤回")
                % {"date": facts["grade_date"], "grade": facts["grade_to"]})
    return notices, standing


def on_credit_updated(entry) -> None:
    """An agency's stored credit changed: reconcile its grade notices and publish a new grade change."""
    data = entry.data
    if not data.get("previous"):
        return  # a first computation (or an entry older than grade notices): no grade to change from
    agency = _agency(entry.object_id)
    if agency is None:
        return
    ledger = _Ledger(agency.pk)
    notices, standing = _standing_grade_notices(agency, ledger, entry)
    baseline = (standing[-1].facts["grade_to"] if standing
                else notices[0].facts["grade_from"] if notices else data["previous"])
    grade, as_of = data["grade"], str(data["as_of"])
    if grade == baseline or ledger.grade_on(as_of, data["policy_version"], before_entry=entry.pk) != grade:
        return
    _publish_grade(agency, {"agency_name": agency.name, "uscc": agency.uscc, "grade_from": baseline, "grade_to": grade,
                            "score": data["score"], "grade_date": as_of, "policy_version": data["policy_version"],
                            "audit_entry": entry.pk}, entry)


@task()
def grade_notices(entry_ids: list[int]) -> int:
    """Apply these `agencies.credit_updated` entries to the grade notices, in order."""
    from marketplace.models import AuditEntry

    done = 0
    for entry in AuditEntry.objects.filter(pk__in=entry_ids).order_by("pk"):
        try:
            on_credit_updated(entry)
            done += 1
        except Exception:  # one agency's notice must not stop the others'
            logger.exception("grade notice failed for %s", entry)
    return done


def on_credit_updates(entries) -> None:
    """Batch subscriber for a transaction's `agencies.credit_updated` entries (a nightly run writes
    thousands): only grade changes, and agencies that already have grade notices, need any work, done by
    one task (run at once by the immediate backend, by a worker with a queue backend)."""
    from cms.models import NoticePage

    noticed = {object_id.split("-", 1)[0] for object_id in NoticePage.objects.filter(
        kind=NoticeKind.CREDIT, object_type=GRADE_OBJECT).values_list("object_id", flat=True)}
    wanted = [entry.pk for entry in entries if entry.data.get("previous")
              and (entry.data["previous"] != entry.data.get("grade") or entry.object_id in noticed)]
    if wanted:
        grade_notices.enqueue(wanted)


def on_audit_anchored(entry) -> None:
    """The day's audit-chain anchor as a public notice (anyone can keep it and check the chain later)."""
    data = entry.data
    publishing.publish_notice(
        kind=NoticeKind.NEWS, object_type=entry.object_type, object_id=entry.object_id,
        source_action=entry.action, entry_id=entry.pk,
        title=_("审计链锚点（%(date)s）") % {"date": data["date"]},
        facts={"anchor_date": data["date"], "audit_entry": data["entry"], "chain_length": data["count"],
               "chain_hash": data["hash"]},
        published_on=timezone.localtime(entry.created_at).date())


HANDLERS = {
    "marketplace.audit_anchored": on_audit_anchored,
    "projects.published": on_posting,
    "projects.revised": on_posting,
    "projects.cancelled": on_posting_cancelled,
    **dict.fromkeys(talk.TALK_ACTIONS, talk.on_posting_talk),
    "projects.result_published": on_result,
    "projects.result_withdrawn": on_result_withdrawn,
    "projects.contract_uploaded": on_contract,
    "ratings.sanction_imposed": on_sanction,
    "ratings.sanction_lifted": on_sanction_lifted,
    "agencies.credit_updated": on_credit_updated,
}
# Subscribed with a whole transaction's entries at once (cms_replay still applies HANDLERS one by one).
BATCH_HANDLERS = {
    "agencies.credit_updated": on_credit_updates,
}


def register() -> None:
    from marketplace.audit import subscribe

    for action, handler in HANDLERS.items():
        if action in BATCH_HANDLERS:
            subscribe(action, BATCH_HANDLERS[action], batch=True)
        else:
            subscribe(action, handler)
