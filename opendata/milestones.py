"""Implementation releases: the service clock (start, 补正 pauses, extensions, deliverables, acceptance) as the
contract's implementation milestones. Every delivery entry carries `project`, `agency` and `job`."""

from __future__ import annotations

from opendata.mapping import Facts, base, contract_ref, iso


def _release(entry, project, facts: Facts, milestone: dict, *, tags=("implementation",), **contract) -> dict:
    release = base(entry, project, list(tags))
    release["contracts"] = [{**contract_ref(entry, project, facts), **contract,
                             "implementation": {"milestones": [{"dateModified": iso(entry.created_at), **milestone}]}}]
    return release


def service_started(entry, project, facts: Facts) -> dict:
    data = entry.data
    started = data.get("started_on")
    return _release(entry, project, facts, {"id": "service-start", "title": "服务起算", "type": "engagement",
                                     "status": "met" if started else "scheduled", "dateMet": iso(started)},
                    workingDayLimit=data.get("limit_wd"),
                    period={"startDate": iso(started or data.get("contract_signed_on"))})


def materials_complete(entry, project, facts: Facts) -> dict:
    started = entry.data.get("started_on")
    return _release(entry, project, facts, {"id": "service-start", "title": "服务起算", "type": "engagement",
                                     "status": "met", "dateMet": iso(started)},
                    period={"startDate": iso(started)})


def clock_paused(entry, project, facts: Facts) -> dict:
    data = entry.data
    return _release(entry, project, facts, {"id": f"pause-{data['pause']}", "title": "补正暂停", "type": "assessment",
                                     "status": "scheduled", "description": entry.reason or None,
                                     "dueDate": iso(data.get("first_day"))})


def clock_resumed(entry, project, facts: Facts) -> dict:
    data = entry.data
    return _release(entry, project, facts, {"id": f"pause-{data['pause']}", "title": "补正暂停", "type": "assessment",
                                     "status": "met", "dateMet": iso(data.get("last_day"))})


def extension_decided(entry, project, facts: Facts) -> dict:
    data = entry.data
    granted = int(data.get("granted_wd") or 0)
    return _release(entry, project, facts, {
        "id": f"extension-{data['extension']}", "title": "延期申请", "type": "approval",
        "status": "met" if granted else "notMet",
        "description": f"申请延长 {data.get('requested_wd')} 个工作日，同意 {granted} 个工作日 / "
                       f"{data.get('requested_wd')} working days requested, {granted} granted"})


def deliverable_submitted(entry, project, facts: Facts) -> dict:
    data = entry.data
    return _release(entry, project, facts, {"id": f"deliverable-{data['deliverable']}", "title": "提交成果",
                                     "type": "delivery", "status": "met", "dateMet": iso(data.get("submitted_on"))})


def deliverable_returned(entry, project, facts: Facts) -> dict:
    data = entry.data
    return _release(entry, project, facts, {"id": f"deliverable-{data['deliverable']}", "title": "提交成果（已退回修改）",
                                     "type": "delivery", "status": "notMet", "description": entry.reason or None})


def deliverable_accepted(entry, project, facts: Facts) -> dict:
    data = entry.data
    accepted = data.get("accepted_on")
    return _release(entry, project, facts, {"id": "acceptance", "title": "成果验收", "type": "delivery", "status": "met",
                                     "dateMet": iso(accepted)},
                    tags=("implementation", "contractTermination"), status="terminated",
                    period={"endDate": iso(accepted)}, workingDayLimit=data.get("limit_wd"),
                    usedWorkingDays=data.get("used_wd"), overdueWorkingDays=data.get("overdue_wd"))


STEPS = {
    "projects.service_started": service_started,
    "projects.materials_complete": materials_complete,
    "projects.clock_paused": clock_paused,
    "projects.clock_resumed": clock_resumed,
    "projects.extension_decided": extension_decided,
    "projects.deliverable_submitted": deliverable_submitted,
    "projects.deliverable_returned": deliverable_returned,
    "projects.deliverable_accepted": deliverable_accepted,
}
