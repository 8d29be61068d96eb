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

from cms import publishing
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


HANDLERS = {
    "projects.published": on_posting,
    "projects.revised": on_posting,
    "projects.cancelled": on_posting_cancelled,
    "projects.result_published": on_result,
    "projects.result_withdrawn": on_result_withdrawn,
    "projects.contract_uploaded": on_contract,
    "ratings.sanction_imposed": on_sanction,
    "ratings.sanction_lifted": on_sanction_lifted,
}


def register() -> None:
    from marketplace.audit import subscribe

    for action, handler in HANDLERS.items():
        subscribe(action, handler)
