"""`shared_person`: competing registrants of one posting share a person, a phone, an email or an address."""

from __future__ import annotations

from collections import defaultdict

from agencies.models import Agency, Practitioner
from marketplace.models import Membership, ServiceType, User
from oversight.findings import Finding, Window, ref
from oversight.indicators._sql import fetch, moment, table
from oversight.rules import HIGH, MEDIUM, mask_id
from projects.models import Project, Registration

# What two agencies can share, normalised in SQL: resident IDs upper-cased; phones without separators or
# +86; addresses lower-cased without spaces; a login email (an account acting for both organisations).
KEYS_SQL = """
WITH k AS (
  SELECT 'person' AS kind, UPPER(TRIM(legal_rep_id)) AS value, id AS agency_id, 'legal_rep' AS role
    FROM {agency} WHERE legal_rep_id <> ''
  UNION ALL SELECT 'person', UPPER(TRIM(contact_id)), id, 'contact' FROM {agency} WHERE contact_id <> ''
  UNION ALL SELECT 'person', UPPER(TRIM(resident_id)), agency_id, 'practitioner' FROM {practitioner}
  UNION ALL SELECT 'phone', REPLACE(REPLACE(REPLACE(REPLACE(contact_phone, '-', ''), ' ', ''), '+86', ''), '(', ''),
                   id, 'phone' FROM {agency} WHERE contact_phone <> ''
  UNION ALL SELECT 'address', REPLACE(REPLACE(LOWER(address), ' ', ''), '　', ''), id, 'address'
    FROM {agency} WHERE address <> ''
  UNION ALL SELECT 'email', LOWER(u.email), a.id, 'email' FROM {agency} a
    JOIN {membership} m ON m.organisation_id = a.organisation_id JOIN {user} u ON u.id = m.user_id
)
SELECT k.kind, k.value, k.agency_id, k.role FROM k
JOIN (SELECT kind, value FROM k GROUP BY kind, value HAVING MIN(agency_id) < MAX(agency_id)) s
  ON s.kind = k.kind AND s.value = k.value
"""

PAIRS_SQL = """
SELECT p.id, p.code, p.region_id, st.department_id, r1.agency_id, r2.agency_id
FROM {registration} r1
JOIN {registration} r2 ON r2.project_id = r1.project_id AND r2.agency_id > r1.agency_id
JOIN {project} p ON p.id = r1.project_id
JOIN {servicetype} st ON st.code = p.service_type_id
WHERE p.closed_at >= %s AND p.closed_at < %s AND r1.agency_id IN ({ids}) AND r2.agency_id IN ({ids})
ORDER BY p.id
"""

LABELS = {"legal_rep": "法定代表人", "contact": "业务授权人", "practitioner": "从业人员", "phone": "联系电话",
          "address": "办公地址", "email": "登录邮箱"}


def shared_keys() -> dict[int, dict[tuple, str]]:
    """agency id → {(kind, value): role} for every key it shares with at least one other agency."""
    sql = KEYS_SQL.format(agency=table(Agency), practitioner=table(Practitioner), membership=table(Membership),
                          user=table(User))
    keys: dict[int, dict[tuple, str]] = defaultdict(dict)
    for kind, value, agency_id, role in fetch(sql):
        if value:
            keys[agency_id][(kind, value)] = role
    return keys


def _shown(kind: str, value: str) -> str:
    if kind == "person":
        return mask_id(value)
    if kind == "phone":
        return f"{value[:3]}****{value[-4:]}"
    if kind == "email":
        return f"{value[:2]}***@{value.split('@')[-1]}"
    return value


def shared_person(window: Window) -> list[Finding]:
    keys = shared_keys()
    if not keys:
        return []
    ids = ",".join(str(int(i)) for i in keys)
    sql = PAIRS_SQL.format(registration=table(Registration), project=table(Project), ids=ids,
                            servicetype=table(ServiceType))
    rows = fetch(sql, [moment(window.start), moment(window.end)])
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={r[4] for r in rows} | {r[5] for r in rows})
                .only("id", "uscc", "name")}
    out = []
    for project_id, code, region, department, a_id, b_id in rows:
        common = sorted(set(keys[a_id]) & set(keys[b_id]))
        if not common:
            continue
        a, b = agencies[a_id], agencies[b_id]
        evidence = [f"{a.uscc}（{a.name}）的{LABELS[keys[a_id][k]]}与{b.uscc}（{b.name}）的{LABELS[keys[b_id][k]]}"
                    f"相同：{_shown(*k)}" for k in common]
        out.append(Finding(
            kind="shared_person", key=f"shared_person:{code}:{a.uscc}:{b.uscc}", subject_type="project", subject=code,
            severity=HIGH if any(k[0] == "person" for k in common) else MEDIUM, evidence=evidence,
            metrics={"matches": [k[0] for k in common]}, project_id=project_id, region_id=region,
            departments=[department], refs=[ref("project", project_id, code), ref("agency", a_id, a.name),
                                             ref("agency", b_id, b.name)]))
    return out
