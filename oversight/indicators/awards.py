"""Indicators over awards: concentration of one owner's awards (with the owner's HHI), purchases split
below the direct-selection limit, draw wins far above chance (Cardinal R055) and winners across unrelated
departments (R048)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency
from marketplace.models import Department, Organisation, ServiceType
from oversight.findings import Finding, Window, ref
from oversight.indicators._sql import fetch, moment, table
from oversight.rules import HIGH, MEDIUM, concentration, split_clusters, win_ratio
from projects.models import Project, Registration

VALUE = Coalesce("project__awarded_price", "project__ceiling", output_field=DecimalField())


def awards(window: Window):
    """Confirmed selections (the agency accepted the job) in the window, one row per awarded round."""
    return Registration.objects.filter(offer=Registration.Offer.CONFIRMED, project__selected_id=F("id"),
                                       offer_answered_at__gte=window.start, offer_answered_at__lt=window.end)


def _owners(ids) -> dict[int, Organisation]:
    return {o.pk: o for o in Organisation.objects.filter(pk__in=set(ids)).only("id", "name", "region_id")}


def _agencies(ids) -> dict[int, Agency]:
    return {a.pk: a for a in Agency.objects.filter(pk__in=set(ids)).only("id", "uscc", "name", "region_id")}


def win_concentration(window: Window) -> list[Finding]:
    """One agency holds more than `risk_concentration_share` of one owner's awards (count or value)."""
    rows = awards(window).values_list("project__owner_id", "agency_id").annotate(n=Count("id"), v=Sum(VALUE))
    found = concentration(rows, window.policy)
    if not found:
        return []
    departments = defaultdict(set)
    for owner, agency, dept in awards(window).filter(agency_id__in={f["agency"] for f in found}).values_list(
            "project__owner_id", "agency_id", "project__service_type__department_id").distinct():
        departments[owner, agency].add(dept)
    owners, agencies = _owners(f["owner"] for f in found), _agencies(f["agency"] for f in found)
    out = []
    for f in found:
        owner, agency = owners[f["owner"]], agencies[f["agency"]]
        out.append(Finding(
            kind="win_concentration", key=f"win_concentration:{owner.pk}:{agency.uscc}", subject_type="owner",
            subject=str(owner.pk), severity=f["severity"], metrics=f, owner_id=owner.pk, agency_id=agency.pk,
            region_id=owner.region_id, departments=sorted(departments[owner.pk, agency.pk]),
            evidence=[f"{owner.name}近{window.policy['risk_lookback_days']}天的{f['total']}次中选中，"
                      f"{agency.uscc}（{agency.name}）占{f['awards']}次（{f['share']:.0%}），"
                      f"金额占{f['value_share']:.0%}（阈值{float(window.policy['risk_concentration_share']):.0%}）",
                      f"该业主的赫芬达尔指数（HHI）为{f['hhi']}"],
            refs=[ref("owner", owner.pk, owner.name), ref("agency", agency.pk, agency.name)]))
    return out


def _direct_picks(window: Window):
    return (Project.objects.filter(method=Project.Method.DIRECT, funding=Project.Funding.FISCAL,
                                   selected_at__gte=window.start, selected_at__lt=window.end)
            .exclude(status__in=[Project.Status.CANCELLED, Project.Status.FAILED])
            .annotate(value=Coalesce("awarded_price", "ceiling", output_field=DecimalField())))


def split_purchase(window: Window) -> list[Finding]:
    """Direct picks of one owner and service type within `risk_split_window_days`, each below the direct limit,
    together above it."""
    limit, days = window.policy["direct_fiscal_limit_yuan"], window.policy["risk_split_window_days"]
    groups = (_direct_picks(window).filter(value__lt=limit).values("owner_id", "service_type_id")
              .annotate(n=Count("id"), total=Sum("value")).filter(n__gte=2, total__gt=limit))
    wanted = {(g["owner_id"], g["service_type_id"]) for g in groups}
    picks = defaultdict(list)
    for p in _direct_picks(window).filter(value__lt=limit, owner_id__in={o for o, _s in wanted}).values(
            "id", "code", "owner_id", "service_type_id", "service_type__name", "service_type__department_id",
            "selected_at", "value"):
        if (p["owner_id"], p["service_type_id"]) in wanted:
            picks[p["owner_id"], p["service_type_id"]].append(p)
    owners, out = _owners(o for o, _s in picks), []
    for (owner_id, _service), rows in picks.items():
        by_id = {p["id"]: p for p in rows}
        triples = [(p["id"], timezone.localdate(p["selected_at"]), p["value"]) for p in rows]
        for run in split_clusters(triples, limit=limit, window_days=days):
            first, owner = by_id[run[0][0]], owners[owner_id]
            total = sum(p[2] for p in run)
            out.append(Finding(
                kind="split_purchase", key=f"split_purchase:{owner_id}:{first['service_type_id']}:{first['code']}",
                subject_type="owner", subject=str(owner_id), severity=HIGH if len(run) >= 3 else MEDIUM,
                owner_id=owner_id, region_id=owner.region_id, departments=[first["service_type__department_id"]],
                metrics={"picks": len(run), "total": str(total)},
                evidence=[f"{owner.name}在{(run[-1][1] - run[0][1]).days + 1}天内直接选取{len(run)}次"
                          f"“{first['service_type__name']}”，合计{total}元，超过直接选取限额{limit}元，每次均低于限额"]
                + [f"{by_id[p[0]]['code']}：{p[1]}，{p[2]}元" for p in run],
                refs=[ref("owner", owner_id, owner.name)] + [ref("project", p[0], by_id[p[0]]["code"]) for p in run]))
    return out


# One pass over the draw rounds' registrations: each entry knows its round's size from a window count.
DRAW_SQL = """
WITH entries AS (
  SELECT r.agency_id, CASE WHEN r.id = p.selected_id THEN 1 ELSE 0 END AS won,
         COUNT(*) OVER (PARTITION BY r.project_id) AS m
  FROM {project} p JOIN {registration} r ON r.project_id = p.id
  WHERE (p.method = 'draw' OR (p.method = 'invitation' AND p.invitation_then = 'draw'))
    AND p.selected_id IS NOT NULL AND p.closed_at >= %s AND p.closed_at < %s AND r.excluded_reason = ''
)
SELECT agency_id, COUNT(*), SUM(won), SUM(1.0 / m) FROM entries GROUP BY agency_id HAVING COUNT(*) >= %s
"""

# The departments of the draw rounds the flagged agencies entered: the flag's scope (only hits are read).
DRAW_DEPTS_SQL = """
SELECT DISTINCT r.agency_id, st.department_id FROM {registration} r
JOIN {project} p ON p.id = r.project_id JOIN {servicetype} st ON st.code = p.service_type_id
WHERE (p.method = 'draw' OR (p.method = 'invitation' AND p.invitation_then = 'draw'))
  AND p.selected_id IS NOT NULL AND p.closed_at >= %s AND p.closed_at < %s AND r.excluded_reason = ''
  AND r.agency_id IN ({ids})
"""


def _draw_departments(window: Window, agency_ids) -> dict[int, set[int]]:
    """agency id → the departments of the draw rounds it entered in the window."""
    out: dict[int, set[int]] = defaultdict(set)
    if not agency_ids:
        return out
    sql = DRAW_DEPTS_SQL.format(registration=table(Registration), project=table(Project),
                                servicetype=table(ServiceType), ids=",".join(str(int(i)) for i in agency_ids))
    for agency_id, department in fetch(sql, [moment(window.start), moment(window.end)]):
        out[agency_id].add(department)
    return out


def high_win_ratio(window: Window) -> list[Finding]:
    """An agency drawn far more often than chance: the binomial tail of its wins below `risk_win_ratio_p`."""
    policy = window.policy
    rows = fetch(DRAW_SQL.format(project=table(Project), registration=table(Registration)),
                 [moment(window.start), moment(window.end), policy["risk_win_ratio_min_rounds"]])
    hits = []
    for agency_id, rounds, wins, chance_sum in rows:
        chance = float(chance_sum) / rounds
        tail = win_ratio(rounds, int(wins), chance, policy)
        if tail is not None and tail < float(policy["risk_win_ratio_p"]):
            hits.append((agency_id, rounds, int(wins), chance, tail))
    agencies, departments = _agencies(h[0] for h in hits), _draw_departments(window, [h[0] for h in hits])
    names = dict(Department.objects.filter(pk__in=set().union(*departments.values())).values_list("id", "name"))
    out = []
    for agency_id, rounds, wins, chance, tail in hits:
        agency, depts = agencies[agency_id], sorted(departments[agency_id])
        out.append(Finding(
            kind="high_win_ratio", key=f"high_win_ratio:{agency.uscc}", subject_type="agency", subject=agency.uscc,
            severity=HIGH if tail < float(policy["risk_win_ratio_p"]) / 100 else MEDIUM, agency_id=agency_id,
            region_id=agency.region_id, departments=depts,
            metrics={"rounds": rounds, "wins": wins, "chance": round(chance, 4), "tail": tail, "departments": depts},
            evidence=[f"{agency.uscc}（{agency.name}）参加{rounds}次随机抽取，中选{wins}次；按各轮入围家数，"
                      f"期望约{rounds * chance:.1f}次",
                      f"随机情况下中选不少于{wins}次的概率为{tail:.2g}（阈值{policy['risk_win_ratio_p']}）",
                      "所涉抽取项目的行业主管部门：" + "、".join(sorted(names[d] for d in depts))],
            refs=[ref("agency", agency_id, agency.name)]))
    return out


# Distinct (agency, department) pairs first, then counted: two hash aggregates instead of a sort for
# COUNT(DISTINCT ...) over every award of the window.
HETEROGENEOUS_SQL = """
SELECT agency_id, COUNT(*) FROM (
  SELECT DISTINCT r.agency_id, st.department_id FROM {registration} r
  JOIN {project} p ON p.selected_id = r.id AND p.id = r.project_id
  JOIN {servicetype} st ON st.code = p.service_type_id
  WHERE r.offer = 'confirmed' AND r.offer_answered_at >= %s AND r.offer_answered_at < %s
) pairs GROUP BY agency_id HAVING COUNT(*) >= %s
"""


def heterogeneous_supplier(window: Window) -> list[Finding]:
    """An agency awarded work under at least `risk_heterogeneous_departments` different departments."""
    minimum = window.policy["risk_heterogeneous_departments"]
    sql = HETEROGENEOUS_SQL.format(registration=table(Registration), project=table(Project),
                                   servicetype=table(ServiceType))
    ids = {agency_id for agency_id, _n in fetch(sql, [moment(window.start), moment(window.end), minimum])}
    if not ids:
        return []
    seen = defaultdict(set)
    for agency_id, dept in awards(window).filter(agency_id__in=ids).values_list(
            "agency_id", "project__service_type__department_id").distinct():
        seen[agency_id].add(dept)
    names = dict(Department.objects.values_list("id", "name"))
    agencies, out = _agencies(ids), []
    for agency_id, depts in seen.items():
        agency = agencies[agency_id]
        out.append(Finding(
            kind="heterogeneous_supplier", key=f"heterogeneous_supplier:{agency.uscc}", subject_type="agency",
            subject=agency.uscc, severity=MEDIUM, agency_id=agency_id, region_id=agency.region_id,
            departments=sorted(depts), metrics={"departments": len(depts)},
            evidence=[f"{agency.uscc}（{agency.name}）在{len(depts)}个行业主管部门的项目中中选："
                      + "、".join(sorted(names[d] for d in depts)) + f"（阈值{minimum}个）"],
            refs=[ref("agency", agency_id, agency.name)]))
    return out
