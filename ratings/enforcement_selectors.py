"""Reads for the regulator's enforcement screens, limited to what the user's regulator organisations cover."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from agencies.models import AgencyService
from ratings.models import EnforcementDecision, Sanction
from ratings.selectors import scope_q


def _department_q(departments: set) -> Q:
    """A record under one of `departments`: named on it, or (none named) one of the agency's services is, or the
    agency offers no service at all (then its region's regulators cover it, as `ratings.permissions` says)."""
    services = AgencyService.objects.filter(agency=OuterRef("agency_id"))
    return (Q(department_id__in=departments)
            | Q(department__isnull=True) & (Exists(services.filter(service_type__department_id__in=departments))
                                            | ~Exists(services)))


def decisions_in_scope(user, *, status: str = "", code: str = "") -> QuerySet:
    """Records the user covers, those waiting for confirmation first, then the newest."""
    qs = EnforcementDecision.objects.select_related("agency", "regulator", "department", "recorded_by",
                                                    "confirmed_by", "revoked_by")
    q = scope_q(user, region_field="agency__region_id", department_q=_department_q)
    if q is not None:
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    if code:
        qs = qs.filter(code=code)
    pending_first = Case(When(status=EnforcementDecision.Status.PENDING, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return qs.annotate(pending_first=pending_first).order_by("pending_first", "-recorded_at", "-id")


def decision_sanctions(decision: EnforcementDecision) -> list[Sanction]:
    """The sanctions of the decision's agency from its date on (what the record led to)."""
    return list(Sanction.objects.filter(agency_id=decision.agency_id, starts_on__gte=decision.decided_on)
                .select_related("lifted_by").order_by("starts_on", "id"))
