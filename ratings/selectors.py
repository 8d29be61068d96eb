"""Reads for the ratings app: scope-limited queues and lists, ledger, charts' data."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from agencies.models import Agency, AgencyService, CreditEvent
from marketplace.permissions import is_operator, organisations, regulator_covers, scope_of
from marketplace.policy import current_policy
from marketplace.reference import region_ancestors
from ratings import scoring
from ratings.models import Appeal, Complaint, Rating, RepairApplication, Sanction


def _descendants(codes: set[str]) -> list[str]:
    from marketplace.models import Region

    return [code for code in Region.objects.values_list("code", flat=True) if set(region_ancestors(code)) & codes]


def scope_q(user, *, region_field: str, department_field: str | None = None,
            department_q: Callable[[set], Q] | None = None) -> Q | None:
    """A filter for what the user's regulator organisations cover; None means everything (operator).

    The query form of `marketplace.permissions.regulator_covers`. The department axis is matched on
    `department_field`, or by `department_q(department ids)` when a field path is not enough; with
    neither it is ignored (a case about the agency as a whole). Returns Q(pk__in=[]) for users with no
    regulator organisation at all.
    """
    if is_operator(user):
        return None
    q = Q(pk__in=[])
    for org in organisations(user, "regulator"):
        part = Q()
        regions, departments = scope_of(org)
        if regions:
            part &= Q(**{f"{region_field}__in": _descendants(regions)})
        if departments and department_q is not None:
            part &= department_q(departments)
        elif departments and department_field:
            part &= Q(**{f"{department_field}__in": departments})
        if not part:
            return None  # an unscoped regulator covers everything
        q |= part
    return q


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def _agency_under_departments(departments: set, agency_ref: str = "pk") -> Q:
    """Under a department: offers one of its services, or has served one of its projects (a service job
    or a rating).

    The query form of `agencies.permissions.scope_departments`; `agency_ref` names the agency's key
    from the filtered model ("pk" for agencies, "agency_id" for rows about an agency).
    """
    from projects.delivery.models import ServiceJob

    return Q(Exists(AgencyService.objects.filter(agency=OuterRef(agency_ref),
                                                 service_type__department_id__in=departments))
             | Exists(ServiceJob.objects.filter(agency=OuterRef(agency_ref),
                                                project__service_type__department_id__in=departments))
             | Exists(Rating.objects.filter(agency=OuterRef(agency_ref),
                                            project__service_type__department_id__in=departments)))


def _about_agency_in_scope(user) -> Q | None:
    """Rows about an agency (`agency` field) whose agency the user covers (region and department)."""
    return scope_q(user, region_field="agency__region_id",
                   department_q=lambda departments: _agency_under_departments(departments, "agency_id"))


def covered_departments(user):
    """The departments a user's regulator scopes cover (all for an operator or an unscoped regulator)."""
    from marketplace.models import Department

    if is_operator(user):
        return Department.objects.all()
    ids: set = set()
    for org in organisations(user, "regulator"):
        departments = scope_of(org)[1]
        if not departments:
            return Department.objects.all()
        ids |= departments
    return Department.objects.filter(pk__in=ids)


def agencies_in_scope(user, *, grade: str = "", region: str = "", department: str = "") -> QuerySet:
    """Admitted (or sanctioned) agencies a regulator covers, filtered by grade, region and department."""
    qs = Agency.objects.exclude(status__in=[Agency.Status.DRAFT, Agency.Status.SUBMITTED, Agency.Status.REJECTED])
    qs = _scoped(qs, scope_q(user, region_field="region_id", department_q=_agency_under_departments))
    if grade:
        qs = qs.filter(credit_grade=grade)
    if region:
        qs = qs.filter(region_id__in=_descendants({region}))
    if department:
        qs = qs.filter(Exists(AgencyService.objects.filter(agency=OuterRef("pk"),
                                                           service_type__department_id=department)))
    return qs.select_related("region").order_by("credit_score", "name")


def appeals_queue(user, *, status: str = Appeal.Status.PENDING) -> QuerySet:
    """Appeals of ratings and of report reviews, scoped by the agency's region and the project's department."""
    qs = Appeal.objects.select_related("agency", "rating__project__service_type__department",
                                       "review__project__service_type__department", "filed_by")
    if status:
        qs = qs.filter(status=status)
    return _scoped(qs, scope_q(user, region_field="agency__region_id", department_q=lambda departments: (
        Q(rating__project__service_type__department_id__in=departments)
        | Q(review__project__service_type__department_id__in=departments))))


def complaints_queue(user, *, status: str = Complaint.Status.OPEN) -> QuerySet:
    qs = Complaint.objects.select_related("agency", "project__service_type", "project__owner", "regulator",
                                          "complainant").prefetch_related("files")
    if status:
        qs = qs.filter(status=status)
    # A complaint about a project follows its department; one about the agency as a whole, the region.
    # One about an owner's conduct (no agency) is placed by its project's region.
    about_agency = scope_q(user, region_field="agency__region_id", department_q=lambda departments: (
        Q(project__isnull=True) | Q(project__service_type__department_id__in=departments)))
    about_owner = scope_q(user, region_field="project__region_id",
                          department_field="project__service_type__department_id")
    if about_agency is None and about_owner is None:
        return qs
    return qs.filter((Q(agency__isnull=False) & (about_agency if about_agency is not None else Q()))
                     | (Q(agency__isnull=True) & (about_owner if about_owner is not None else Q())))


def repairs_queue(user, *, status: str = RepairApplication.Status.PENDING) -> QuerySet:
    qs = RepairApplication.objects.select_related("agency", "event", "applied_by")
    if status:
        qs = qs.filter(status=status)
    return _scoped(qs, _about_agency_in_scope(user))


def sanctions_list(user) -> QuerySet:
    return _scoped(Sanction.objects.select_related("agency"), _about_agency_in_scope(user))


def sanctions_in_force(agency: Agency, on: dt.date) -> list[Sanction]:
    return [s for s in Sanction.objects.filter(agency=agency, lifted_at__isnull=True) if s.in_force(on)]


def ledger(agency: Agency) -> QuerySet:
    """The agency's ledger, newest first, each line with the correction that voided it or the line it corrects."""
    return CreditEvent.objects.filter(agency=agency).select_related(
        "created_by", "corrects", "correction__created_by").order_by("-date", "-id")


def ledger_index(agency: Agency) -> dict[int, CreditEvent]:
    """The agency's ledger lines by primary key (to show each explained line's cause and correction)."""
    return {e.pk: e for e in ledger(agency)}


def explained_lines(agency: Agency, result: scoring.CreditResult) -> list[dict]:
    """The engine's explained lines with their ledger rows: {"line", "event", "correction", "corrects"}.

    `correction` is the line that voided this one (who, when, why); `corrects` the line a correction voids.
    """
    events = ledger_index(agency)
    rows = []
    for ln in result.lines:
        event = events.get(ln.ref)
        rows.append({"line": ln, "event": event,
                     "correction": getattr(event, "correction", None) if event is not None else None,
                     "corrects": event.corrects if event is not None else None})
    return rows


def ledger_events(agency_id: int) -> list[scoring.Event]:
    """The agency's ledger as the engine's plain events, oldest first."""
    rows = CreditEvent.objects.filter(agency_id=agency_id).order_by("date", "id").values_list(
        "id", "code", "date", "state", "cause")
    return [scoring.Event(code=c, date=d, state=s, cause=cause, ref=pk) for pk, c, d, s, cause in rows]


def ledgers_of(agency_ids: list[int]) -> dict[int, list[scoring.Event]]:
    """The ledgers of many agencies as the engine's plain events (for the what-if preview)."""
    ledgers: dict[int, list[scoring.Event]] = {pk: [] for pk in agency_ids}
    for pk, agency_id, code, date, state in CreditEvent.objects.filter(agency_id__in=list(ledgers)).values_list(
            "pk", "agency_id", "code", "date", "state"):
        ledgers[agency_id].append(scoring.Event(code=code, date=date, state=state, ref=pk))
    return ledgers


def credit_report(agency: Agency, *, as_of: dt.date, policy=None) -> scoring.CreditResult:
    """The explained score of one agency at `as_of` (read only)."""
    return scoring.score(ledger_events(agency.pk), as_of=as_of, policy=policy or current_policy())


def competent_regulator(*, agency: Agency, project=None):
    """The regulator organisation whose scope covers the agency (and the project's department), most specific first."""
    from marketplace.models import Organisation

    department = project.service_type.department_id if project is not None else None
    best, best_key = None, None
    for org in Organisation.objects.filter(kind=Organisation.Kind.REGULATOR).prefetch_related(
            "scope_regions", "scope_departments").order_by("id"):
        if not regulator_covers(org, agency, department):
            continue
        regions = [r.code for r in org.scope_regions.all()]
        depth = max((len(region_ancestors(code)) for code in regions), default=0)
        key = (depth, bool(org.scope_departments.all()))
        if best_key is None or key > best_key:
            best, best_key = org, key
    return best


def appealable_ratings(agency: Agency) -> list[Rating]:
    return list(Rating.objects.filter(agency=agency, result__in=[Rating.Result.BASIC, Rating.Result.UNSATISFIED],
                                      automatic=False).select_related("project").prefetch_related("appeal")[:20])


def pending_ratings_for(user) -> QuerySet:
    orgs = [o.pk for o in organisations(user, "owner")]
    return Rating.objects.filter(owner_id__in=orgs).select_related("project", "agency").order_by("result", "due_on")


def received_ratings_for(user) -> QuerySet:
    orgs = [o.pk for o in organisations(user, "agency")]
    return Rating.objects.filter(agency__organisation_id__in=orgs).exclude(result="").select_related(
        "project", "agency").order_by("-rated_on")


def queue_counts(user) -> dict:
    return {"appeals": appeals_queue(user).count(), "complaints": complaints_queue(user).count(),
            "repairs": repairs_queue(user).count()}


# ---- chart data ------------------------------------------------------------------------------


def grade_distribution(qs: QuerySet) -> list[tuple[str, int]]:
    counts = dict(qs.order_by().values_list("credit_grade").annotate(n=Count("id")))
    return [(g, counts.get(g, 0)) for g in ("A", "B", "C", "D")]


def on_time_by_department(user) -> list[dict]:
    """Per department: accepted jobs (ratings opened on acceptance) and overdue ledger lines → on-time rate.

    An overdue line is attributed to a department through its cause object's project.
    """
    q = scope_q(user, region_field="agency__region_id", department_field="project__service_type__department_id")
    jobs = Counter(dict(_scoped(Rating.objects.all(), q).order_by().values_list(
        "project__service_type__department__name").annotate(n=Count("id"))))
    overdue: Counter = Counter()
    events = _scoped(CreditEvent.objects.filter(code__in=["overdue_minor", "overdue_major"]),
                     _about_agency_in_scope(user))
    by_type: dict[str, list[str]] = defaultdict(list)
    for cause_type, cause_id in events.values_list("cause_type", "cause_id"):
        if cause_type and cause_id:
            by_type[cause_type].append(cause_id)
    for cause_type, ids in by_type.items():
        try:
            model = apps.get_model(cause_type)
        except (LookupError, ValueError):
            continue
        if model._meta.label_lower == "projects.project":
            qs = model.objects.filter(pk__in=ids).values_list("service_type__department__name", flat=True)
        elif any(f.name == "project" for f in model._meta.get_fields()):
            qs = model.objects.filter(pk__in=ids).values_list("project__service_type__department__name", flat=True)
        else:
            continue
        overdue.update(qs)
    rows = []
    for name in sorted(set(jobs) | set(overdue)):
        total = max(jobs.get(name, 0), overdue.get(name, 0))
        late = overdue.get(name, 0)
        rate = Decimal(total - late) / Decimal(total) if total else Decimal(1)
        rows.append({"department": name or "—", "jobs": total, "overdue": late,
                     "rate": rate.quantize(Decimal("0.001"))})
    return rows


def price_vs_ceiling(user, *, limit: int = 40) -> list[dict]:
    from projects.models import Project

    qs = _scoped(Project.objects.filter(awarded_price__isnull=False),
                 scope_q(user, region_field="region_id", department_field="service_type__department_id"))
    rows = []
    for p in qs.order_by("-published_at", "-id")[:limit]:
        ratio = (p.awarded_price / p.ceiling).quantize(Decimal("0.001")) if p.ceiling else None
        rows.append({"code": p.code, "ceiling": p.ceiling, "awarded": p.awarded_price, "ratio": ratio})
    return rows
