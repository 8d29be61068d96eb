"""Reads for agencies, with their select_related/prefetch_related, so query counts stay fixed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from agencies.identifiers import normalise
from agencies.models import Agency, AgencyDocument, AgencyService, Blacklist, ChangeRequest, Qualification
from agencies.permissions import regulates_agency
from marketplace.models import Region
from marketplace.pagination import KeyPart

S = Agency.Status


def region_descendants(code: str) -> list[str]:
    """The region and every region below it (one query)."""
    children: dict[str, list[str]] = {}
    for child, parent in Region.objects.values_list("code", "parent_id"):
        children.setdefault(parent, []).append(child)
    out, stack = [], [code]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.append(current)
        stack.extend(children.get(current, []))
    return out


def agency_of(organisation) -> Agency | None:
    """The organisation's agency, read once per organisation instance: the dashboard's panels (agencies,
    projects, ratings) share it through the reverse one-to-one cache instead of querying it each."""
    return getattr(organisation, "agency", None) if organisation is not None else None


def _services_prefetch() -> Prefetch:
    return Prefetch("services", queryset=AgencyService.objects.select_related("service_type__department"))


def directory(*, service_type: str | None = None, region: str | None = None, q: str | None = None) -> QuerySet:
    """Admitted agencies for the public directory, filtered by service type and region (with descendants).

    A region matches an agency registered in it or below it, or serving it or a region above it.
    """
    from marketplace.reference import region_ancestors

    qs = Agency.objects.filter(status=S.ADMITTED)
    if service_type:
        qs = qs.filter(Exists(AgencyService.objects.filter(agency=OuterRef("pk"), service_type_id=service_type)))
    if region:
        below = region_descendants(region)
        around = set(below) | set(region_ancestors(region))
        served = Agency.regions_served.through.objects.filter(agency_id=OuterRef("pk"), region_id__in=around)
        qs = qs.filter(Q(region_id__in=below) | Exists(served))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=normalise(q)))
    return qs.select_related("region").prefetch_related(_services_prefetch()).order_by(*DIRECTORY_ORDER)


# The directory's order (grade A first, then score high to low, name, id) written with ascending
# expressions only, so that the partial index `perf_agency_directory` (Agency.Meta.indexes) serves both
# the ORDER BY and the keyset row comparison of the API's cursor pages (marketplace.pagination).
DIRECTORY_ORDER = ("credit_grade", (F("credit_score") * -1).asc(), "name", "pk")
DIRECTORY_KEY = (
    KeyPart('"agencies_agency"."credit_grade"', lambda a: a.credit_grade),
    KeyPart('("agencies_agency"."credit_score" * -1)', lambda a: -a.credit_score),
    KeyPart('"agencies_agency"."name"', lambda a: a.name),
    KeyPart('"agencies_agency"."id"', lambda a: a.pk),
)


REVIEW_OUTCOMES = ("pass", "basic", "fail")


def _review_counts() -> dict:
    """`reviews_pass` / `reviews_basic` / `reviews_fail`: the approving departments' report reviews
    (报告复审) of the agency's work per outcome, leaving out those revoked on appeal. The rows belong to
    the ratings app; they are read through their relation to the agency (`report_reviews`), in the
    storefront's own query."""
    stands = ~Q(report_reviews__appeal__status="upheld")
    return {f"reviews_{outcome}": Count("report_reviews", filter=Q(report_reviews__outcome=outcome) & stands)
            for outcome in REVIEW_OUTCOMES}


def storefront(uscc: str) -> Agency | None:
    """One agency with everything its storefront shows, in a fixed number of queries."""
    pending = ChangeRequest.objects.filter(agency=OuterRef("pk"), status=ChangeRequest.Status.PENDING)
    return (Agency.objects.filter(uscc=normalise(uscc))
            .select_related("region", "organisation")
            .annotate(change_pending=Exists(pending), **_review_counts())
            .prefetch_related(_services_prefetch(), "cases", "regions_served",
                              Prefetch("qualifications", queryset=Qualification.objects.order_by("level", "pk")))
            .first())


def valid_qualifications(agency: Agency, today: dt.date) -> list[Qualification]:
    """Qualifications counting on `today` (from a prefetched list); they stop the day after valid_to."""
    return [q for q in agency.qualifications.all() if q.is_valid_on(today)]


def _review_base() -> QuerySet:
    return (Agency.objects.select_related("region", "organisation", "applicant")
            .prefetch_related(_services_prefetch()))


def application_for_review(pk: int) -> Agency:
    """One application with what its reviewer reads: services, qualifications, practitioners, documents."""
    return (Agency.objects.select_related("region", "applicant")
            .prefetch_related(Prefetch("services", queryset=AgencyService.objects.select_related("service_type")),
                              "qualifications", "practitioners", "documents").get(pk=pk))


def review_queue(user) -> list[Agency]:
    """Submitted applications the user may review (competent regulator's scope, or operator), oldest first."""
    rows = _review_base().filter(status=S.SUBMITTED).order_by("review_due_on", "submitted_at", "pk")
    return [a for a in rows if regulates_agency(user, a)]


def pending_changes(user=None, agency: Agency | None = None) -> list[ChangeRequest]:
    qs = (ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING)
          .select_related("agency__region", "submitted_by")
          .prefetch_related(Prefetch("agency__services",
                                     queryset=AgencyService.objects.select_related("service_type")))
          .order_by("due_on", "pk"))
    if agency is not None:
        qs = qs.filter(agency=agency)
    rows = list(qs)
    if user is not None:
        rows = [c for c in rows if regulates_agency(user, c.agency)]
    return rows


def is_overdue(due_on: dt.date | None, today: dt.date) -> bool:
    return due_on is not None and today > due_on


def applications_of(user) -> QuerySet:
    """Applications the user started or belongs to."""
    from marketplace.permissions import organisations

    org_ids = [o.pk for o in organisations(user, "agency")]
    return (Agency.objects.filter(Q(applicant=user) | Q(organisation_id__in=org_ids))
            .select_related("region").order_by("-updated_at"))


def expiring_qualifications(agency: Agency, today: dt.date, days: int) -> QuerySet:
    return agency.qualifications.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days)).order_by(
        "valid_to")


def active_blacklist(uscc: str, today: dt.date) -> Blacklist | None:
    """The blacklist entry barring `uscc` from applying on `today` (the latest-ending one), if any."""
    return Blacklist.objects.filter(uscc=normalise(uscc), ends_on__gte=today).order_by("-ends_on").first()


REQUIRED_FIELDS = [("name", "机构名称 / name"), ("address", "注册地址 / address"),
                   ("legal_rep_name", "法定代表人 / legal representative"),
                   ("legal_rep_id", "法定代表人身份证号 / legal representative ID"),
                   ("contact_name", "业务授权人 / business contact"),
                   ("contact_phone", "联系电话 / contact phone"),
                   ("contact_id", "业务授权人身份证号 / business contact ID")]
REQUIRED_DOCUMENTS = [(AgencyDocument.Kind.LICENCE, "营业执照 / business licence"),
                      (AgencyDocument.Kind.COMMITMENT, "承诺书 / commitment letter"),
                      (AgencyDocument.Kind.AUTHORISATION, "业务授权书 / letter of authorisation"),
                      (AgencyDocument.Kind.CONTACT_INSURANCE, "业务授权人3个月社保证明 / 3 months of social insurance")]


def missing_for_submission(agency: Agency) -> list[str]:
    """What an application still lacks before it can be submitted (Chinese / English)."""
    missing = [label for field, label in REQUIRED_FIELDS if not getattr(agency, field)]
    kinds = set(agency.documents.values_list("kind", flat=True))
    missing += [label for kind, label in REQUIRED_DOCUMENTS if kind not in kinds]
    if not agency.services.exists():
        missing.append("至少一项服务事项 / at least one service")
    if agency.practitioners.filter(social_insurance__isnull=True).exists():
        missing.append("从业人员社保证明 / practitioners' social-insurance proof")
    return missing
