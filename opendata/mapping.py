"""One public audit entry → one OCDS release (a dict). Pure: the caller hands in the entry, the posting and a
`Facts` of what the entry's payload does not carry (the award an entry refers to, the agencies, grades).

Release ids are `<ocid>-<first 16 hex of the entry's chain hash>`: stable across runs and rebuilds, since the
audit chain is append-only. Dates are the entry's time in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

# Our selection methods → the OCDS `method` codelist (the detailed method goes in `tender.selectionMethod`).
METHOD = {"direct": "direct", "draw": "open", "lowest": "open", "composite": "open", "invitation": "limited"}
AWARD_CRITERIA = {"direct": "singleBidOnly", "lowest": "priceOnly", "composite": "ratedCriteria"}
CURRENCY = "CNY"
PROJECT_LABEL = "projects.project"


@dataclass
class Facts:
    """What a release needs beyond the entry and the posting, loaded in bulk by `opendata.releases`."""

    agencies: dict[int, object] = field(default_factory=dict)          # pk → Agency
    awards: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # project pk → [(entry id, uscc)]
    grades: dict[tuple[int, int], str] = field(default_factory=dict)    # (project pk, entry id) → grade at award
    site_url: str = ""

    def award_uscc(self, project_id: int, entry_id: int) -> str | None:
        """The USCC of the latest result published for the project at or before the entry."""
        found = [uscc for eid, uscc in self.awards.get(project_id, []) if eid <= entry_id]
        return found[-1] if found else None


def ocid(code: str) -> str:
    return f"ocds-{settings.OCDS_PREFIX}-{code}"


def iso(moment: dt.datetime | dt.date | str | None) -> str | None:
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment) if "T" in moment or " " in moment else dt.date.fromisoformat(moment)
    if not isinstance(moment, dt.datetime):
        moment = timezone.make_aware(dt.datetime.combine(moment, dt.time()))
    return timezone.localtime(moment).isoformat()


def money(amount) -> dict | None:
    if amount in (None, ""):
        return None
    amount = Decimal(str(amount))
    return {"amount": int(amount) if amount == amount.to_integral_value() else float(amount), "currency": CURRENCY}


def clean(value):
    """Drop None values and empty containers, recursively (OCDS omits what is unknown)."""
    if isinstance(value, dict):
        out = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def organisation_party(org, roles: list[str]) -> dict:
    party_id = f"CN-USCC-{org.uscc}" if org.uscc else f"zjcs-org-{org.pk}"
    identifier = {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name} if org.uscc else None
    return {"id": party_id, "name": org.name, "identifier": identifier, "roles": roles}


def supplier_party(uscc: str, name: str) -> dict:
    return {"id": f"CN-USCC-{uscc}", "name": name, "identifier": {"scheme": "CN-USCC", "id": uscc, "legalName": name},
            "roles": ["supplier"]}


def award_id(project, uscc: str) -> str:
    return f"{project.code}-award-{uscc}"


def contract_id(project) -> str:
    return f"{project.code}-contract"


def contract_ref(entry, project, facts: Facts) -> dict:
    """The contract's `id` and `awardID` (the award in force when the entry was written), required together."""
    uscc = facts.award_uscc(project.pk, entry.pk)
    if uscc is None and entry.data.get("agency") is not None:
        agency = facts.agencies.get(int(entry.data["agency"]))
        uscc = agency.uscc if agency else None
    return {"id": contract_id(project), "awardID": award_id(project, uscc or "unknown")}


def base(entry, project, tags: list[str]) -> dict:
    the_ocid = ocid(project.code)
    buyer = organisation_party(project.owner, ["buyer", "procuringEntity"])
    return {"ocid": the_ocid, "id": f"{the_ocid}-{entry.hash[:16]}", "date": iso(entry.created_at), "tag": tags,
            "initiationType": "tender", "language": "zh", "buyer": {"id": buyer["id"], "name": buyer["name"]},
            "parties": [buyer]}


def planning(project) -> dict:
    return {"budget": {"id": project.investment_code or project.code, "projectID": project.investment_code or None,
                       "project": project.title, "description": project.get_funding_display()}}


def tender(project, facts: Facts, *, status: str) -> dict:
    owner = organisation_party(project.owner, [])
    posting_url = f"{facts.site_url}/projects/{project.code}/"
    return {
        "id": project.code, "title": project.title, "description": project.scope, "status": status,
        "procuringEntity": {"id": owner["id"], "name": owner["name"]},
        "items": [{"id": "1", "description": project.service_type.name, "quantity": 1,
                   "classification": {"scheme": "x_ZJCS_SERVICE", "id": project.service_type_id,
                                      "description": project.service_type.name}}],
        "value": money(project.ceiling), "minValue": money(project.floor),
        "procurementMethod": METHOD[project.method], "procurementMethodDetails": project.get_method_display(),
        "awardCriteria": AWARD_CRITERIA.get(project.method), "mainProcurementCategory": "services",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": iso(project.published_at), "endDate": iso(project.registration_deadline)},
        "documents": [{"id": "notice", "documentType": "tenderNotice", "title": project.title, "url": posting_url,
                       "datePublished": iso(project.published_at), "format": "text/html", "language": "zh"}],
        "selectionMethod": project.method, "fundingSource": project.funding, "round": project.round_no,
        "workingDayLimit": project.requested_limit_wd, "drawCommitment": project.draw_commitment or None,
        "beaconSource": project.beacon_source or None,
    }
