"""Indicators over one round's registrations and quotes: identical and close quotes (Cardinal R028, R024),
a heavily discounted winning quote (R058), a single registrant (R018) and a short window (R003).

Only rounds whose registration has closed are read: quotes are sealed until then."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.db.models.functions import Abs

from marketplace.display import money
from oversight.findings import Finding, Window, ref
from oversight.rules import HIGH, LOW, MEDIUM, within_pct
from projects.models import Project, Registration

M = Project.Method
PRICED = Q(method__in=[M.LOWEST, M.COMPOSITE]) | Q(method=M.INVITATION, invitation_then="lowest")
COMPETITIVE = ~Q(method=M.DIRECT)


def _closed(window: Window, prefix: str = "") -> Q:
    return Q(**{f"{prefix}closed_at__gte": window.start, f"{prefix}closed_at__lt": window.end})


def _projects(ids) -> dict[int, dict]:
    return {p["id"]: p for p in Project.objects.filter(pk__in=set(ids)).values(
        "id", "code", "title", "region_id", "ceiling", "awarded_price", "service_type__department_id",
        "selected_id", "selected__agency__uscc", "selected__quote")}


def _finding(kind: str, project: dict, severity: str, evidence: list[str], *, key: str = "", **metrics) -> Finding:
    return Finding(kind=kind, key=key or f"{kind}:{project['code']}", subject_type="project",
                   subject=project["code"], severity=severity, evidence=evidence, metrics=metrics,
                   project_id=project["id"], region_id=project["region_id"],
                   departments=[project["service_type__department_id"]],
                   refs=[ref("project", project["id"], project["code"])])


def identical_quotes(window: Window) -> list[Finding]:
    """Two or more quotes of the same amount in one priced round."""
    priced = Project.objects.filter(PRICED, _closed(window)).values("id")
    groups = (Registration.objects.filter(project__in=priced, quote__isnull=False).values("project_id", "quote")
              .annotate(n=Count("id")).filter(n__gte=2))
    by_project: dict[int, list] = defaultdict(list)
    for row in groups:
        by_project[row["project_id"]].append(row["quote"])
    if not by_project:
        return []
    projects = _projects(by_project)
    regs = defaultdict(list)
    for r in Registration.objects.filter(project_id__in=by_project, quote__isnull=False).values(
            "project_id", "quote", "agency_id", "agency__uscc", "agency__name"):
        if r["quote"] in by_project[r["project_id"]]:
            regs[r["project_id"]].append(r)
    out = []
    for project_id, amounts in by_project.items():
        project, rows = projects[project_id], regs[project_id]
        evidence = [f"{sum(1 for r in rows if r['quote'] == q)}家机构报价均为{q}元："
                    + "、".join(r["agency__uscc"] for r in rows if r["quote"] == q) for q in sorted(amounts)]
        finding = _finding("identical_quotes", project, HIGH, evidence, amounts=[str(q) for q in sorted(amounts)])
        finding.refs += [ref("agency", r["agency_id"], r["agency__name"]) for r in rows]
        out.append(finding)
    return out


def close_quotes(window: Window) -> list[Finding]:
    """The winning quote and the nearest other quote differ by no more than `risk_close_quote_pct` percent."""
    pct = window.policy["risk_close_quote_pct"]
    rounds = Project.objects.filter(PRICED, _closed(window), selected__quote__isnull=False).values("id")
    gaps = (Registration.objects.filter(project__in=rounds, quote__isnull=False)
            .exclude(pk=F("project__selected_id"))
            .annotate(gap=Abs(F("quote") - F("project__selected__quote"))).filter(gap__gt=0)
            .values("project_id").annotate(closest=Min("gap"))
            # Only the close ones leave the database (the rule below still decides, exactly).
            .filter(closest__lte=Min("project__selected__quote") * pct / 100))
    gaps = {g["project_id"]: g["closest"] for g in gaps}
    projects = _projects(gaps)
    out = []
    for project_id, gap in gaps.items():
        project = projects[project_id]
        winning = project["selected__quote"]
        if not within_pct(winning, winning + gap, pct):
            continue
        share = (gap * 100 / winning).quantize(Decimal("0.01"))
        out.append(_finding("close_quotes", project, MEDIUM, [
            f"中选报价{winning}元（{project['selected__agency__uscc']}）与最接近的另一报价相差{gap}元，"
            f"仅{share}%（阈值{pct}%）"], gap=str(gap), share=str(share)))
    return out


def discounted_bid(window: Window) -> list[Finding]:
    """The selected quote is below `risk_discount_ratio` of the ceiling, or was abnormally low and accepted."""
    ratio = window.policy["risk_discount_ratio"]
    rows = Project.objects.filter(_closed(window), selected__quote__isnull=False).filter(
        Q(selected__quote__lt=F("ceiling") * ratio) | Q(selected__justification="accepted")).values("id")
    out = []
    for project in _projects(r["id"] for r in rows).values():
        quote, ceiling = project["selected__quote"], project["ceiling"]
        share = (quote * 100 / ceiling).quantize(Decimal("0.1"))
        out.append(_finding("discounted_bid", project, HIGH if quote < ceiling * ratio else MEDIUM, [
            f"中选报价{money(quote)}为最高限价{money(ceiling)}的{share}%（阈值{ratio * 100:.0f}%）"
            f"，中选机构{project['selected__agency__uscc']}"], share=str(share)))
    return out


def single_bidder(window: Window) -> list[Finding]:
    """A competitive round that went ahead to a selection with one registrant."""
    # "No registration other than the selected one": an anti-join, no count of every round's registrants.
    others = Registration.objects.filter(project=OuterRef("pk")).exclude(pk=OuterRef("selected_id"))
    rows = (Project.objects.filter(COMPETITIVE, _closed(window), selected__isnull=False)
            .exclude(Exists(others)).order_by().values("id"))
    return [_finding("single_bidder", p, MEDIUM, [
        f"仅{p['selected__agency__uscc']}一家报名，仍完成选取"]) for p in _projects(r["id"] for r in rows).values()]


def short_window(window: Window) -> list[Finding]:
    """A competitive posting whose registration window was shorter than `risk_short_window_min_wd` working days."""
    minimum = window.policy["risk_short_window_min_wd"]
    rows = Project.objects.filter(COMPETITIVE, published_at__gte=window.start, published_at__lt=window.end,
                                  window_wd__lt=minimum).values("id", "window_wd", "urgent")
    projects = _projects(r["id"] for r in rows)
    return [_finding("short_window", projects[r["id"]], LOW, [
        f"报名期仅{r['window_wd']}个工作日（阈值{minimum}个工作日）" + ("，标为紧急项目" if r["urgent"] else "")],
        window_wd=r["window_wd"]) for r in rows]
