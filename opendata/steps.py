"""The release each public step produces (see `opendata.mapping` for the shared pieces).

`STEPS` maps a declared audit action to a builder `(entry, project, facts) -> release`; an action that is not
in it (drafts, sealed quotes, offers not yet confirmed) publishes nothing."""

from __future__ import annotations

from opendata.mapping import (
    Facts,
    award_id,
    base,
    clean,
    contract_id,
    contract_ref,
    iso,
    money,
    ocid,
    planning,
    supplier_party,
    tender,
)


def published(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["planning", "tender"])
    release["planning"] = planning(project)
    release["tender"] = tender(project, facts, status="active")
    if entry.data.get("deadline"):
        release["tender"]["tenderPeriod"]["endDate"] = iso(entry.data["deadline"])
    if project.previous_round_id:
        previous = project.previous_round
        release["relatedProcesses"] = [{"id": "previous-round", "relationship": ["unsuccessfulProcess"],
                                        "title": previous.title, "scheme": "ocid", "identifier": ocid(previous.code)}]
    return release


def revised(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["tenderAmendment"])
    data = entry.data
    changed = "、".join(sorted((data.get("diff") or {}).keys()))
    release["tender"] = {"id": project.code, "status": "active",
                         "tenderPeriod": {"endDate": iso(data.get("deadline"))},
                         "amendments": [{"id": f"revision-{data.get('revision')}", "date": iso(entry.created_at),
                                         "rationale": entry.reason, "description": changed or None}]}
    return release


def cancelled(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["tenderCancellation"])
    release["tender"] = {"id": project.code, "status": "cancelled",
                         "amendments": [{"id": "cancellation", "date": iso(entry.created_at),
                                         "rationale": entry.reason}]}
    return release


def round_failed(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["tenderUpdate"])
    release["tender"] = {"id": project.code, "status": "unsuccessful",
                         "amendments": [{"id": f"failed-round-{entry.data.get('round')}",
                                         "date": iso(entry.created_at), "rationale": entry.reason}]}
    return release


def registration_closed(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["tenderUpdate"])
    release["tender"] = {"id": project.code, "numberOfTenderers": entry.data.get("registrations")}
    return release


def _supplier(facts: Facts, pk) -> tuple[str, str]:
    agency = facts.agencies.get(int(pk)) if pk is not None else None
    return (agency.uscc, agency.name) if agency else ("", "")


def result_published(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["award"])
    uscc, name = _supplier(facts, entry.data.get("agency"))
    uscc = entry.data.get("uscc") or uscc
    release["parties"].append(supplier_party(uscc, name))
    release["awards"] = [{
        "id": award_id(project, uscc), "title": project.title, "status": "pending", "date": iso(entry.created_at),
        "value": money(entry.data.get("price")), "suppliers": [{"id": f"CN-USCC-{uscc}", "name": name}],
        "items": [{"id": "1", "description": project.service_type.name, "quantity": 1}],
        "drawRecord": entry.data.get("draw_record"), "creditGradeAtAward": facts.grades.get((project.pk, entry.pk)),
    }]
    return release


def _award_update(entry, project, facts: Facts, tags: list[str], status: str) -> dict | None:
    uscc = facts.award_uscc(project.pk, entry.pk)
    if uscc is None:
        return None
    release = base(entry, project, tags)
    release["awards"] = [{"id": award_id(project, uscc), "status": status}]
    return release


def publicity_ended(entry, project, facts: Facts) -> dict | None:
    return _award_update(entry, project, facts, ["awardUpdate"], "active")


def result_withdrawn(entry, project, facts: Facts) -> dict | None:
    release = _award_update(entry, project, facts, ["awardCancellation"], "cancelled")
    if release is not None:
        release["awards"][0]["statusDetails"] = entry.reason or None
    return release


def contract_signed(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["contract"])
    uscc, _name = _supplier(facts, entry.data.get("agency"))
    release["contracts"] = [{"id": contract_id(project), "awardID": award_id(project, uscc), "title": project.title,
                             "status": "active", "value": money(project.awarded_price),
                             "dateSigned": iso(entry.data.get("signed_on")),
                             "period": {"startDate": iso(entry.data.get("signed_on"))}}]
    return release


def contract_uploaded(entry, project, facts: Facts) -> dict:
    release = base(entry, project, ["contractUpdate"])
    release["contracts"] = [{**contract_ref(entry, project, facts), "documents": [{
        "id": "contract-signed", "documentType": "contractSigned", "title": f"{project.title} 合同",
        "datePublished": iso(entry.created_at), "format": "application/pdf", "language": "zh",
        "description": "合同扫描件不公开；签订日期见合同 / the scan is not public; see the signing date"}]}]
    return release


STEPS = {
    "projects.published": published,
    "projects.revised": revised,
    "projects.cancelled": cancelled,
    "projects.round_failed": round_failed,
    "projects.registration_closed": registration_closed,
    "projects.result_published": result_published,
    "projects.publicity_ended": publicity_ended,
    "projects.result_withdrawn": result_withdrawn,
    "projects.contract_signed": contract_signed,
    "projects.contract_uploaded": contract_uploaded,
}


def build(entry, project, facts: Facts) -> dict | None:
    """The release of one audit entry about a public posting, or None when the step is not public."""
    from opendata.milestones import STEPS as JOB_STEPS

    builder = STEPS.get(entry.action) or JOB_STEPS.get(entry.action)
    release = builder(entry, project, facts) if builder else None
    return clean(release) if release else None
