"""Writes of the storefront, edited directly (no review): services offered, description, regions served, cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies import events
from agencies.models import Agency, AgencyService, Case
from agencies.permissions import check_editor
from marketplace import audit
from marketplace.models import Region, ServiceType


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"金额无效 / invalid amount: {value}", code="amount") from None
    if amount < 0 or not amount.is_finite():
        raise ValidationError("金额不能为负 / amounts cannot be negative", code="amount")
    return amount.quantize(Decimal("0.01"))


def _service_type(service_type) -> ServiceType:
    if isinstance(service_type, ServiceType):
        return service_type
    found = ServiceType.objects.filter(code=str(service_type), active=True).first()
    if found is None:
        raise ValidationError("服务类型不存在 / unknown service type", code="service_type")
    return found


@transaction.atomic
def save_service(*, by, agency: Agency, service_type, fee_basis: str = AgencyService.FeeBasis.FIXED,
                 price_min=None, price_max=None, time_limit_wd=None, description: str = "") -> AgencyService:
    """Add or update one offered service (catalogue type, fee basis, price range in 元, time limit)."""
    check_editor(by, agency)
    service_type = _service_type(service_type)
    if fee_basis not in AgencyService.FeeBasis.values:
        raise ValidationError("收费方式无效 / invalid fee basis", code="fee_basis")
    lo, hi = _money(price_min), _money(price_max)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError("最低价不能高于最高价 / the minimum price is above the maximum", code="price_range")
    limit = int(time_limit_wd or service_type.typical_limit_wd)
    if limit < 1:
        raise ValidationError("承诺时限至少1个工作日 / the time limit is at least 1 working day", code="time_limit")
    service, created = AgencyService.objects.update_or_create(
        agency=agency, service_type=service_type,
        defaults={"fee_basis": fee_basis, "price_min": lo, "price_max": hi, "time_limit_wd": limit,
                  "description": (description or "").strip()})
    _storefront_audit(by, agency, {"service": service_type.code, "created": created})
    return service


@transaction.atomic
def remove_service(*, by, agency: Agency, service: AgencyService) -> None:
    check_editor(by, agency)
    if service.agency_id != agency.pk:
        raise ValidationError("服务不属于该机构 / not this agency's service", code="owner")
    code = service.service_type_id
    service.delete()
    _storefront_audit(by, agency, {"service_removed": code})


@transaction.atomic
def update_storefront(*, by, agency: Agency, description: str | None = None, regions_served=None) -> Agency:
    """Edit the description and the regions served (direct edits, no review)."""
    check_editor(by, agency)
    changed = {}
    if description is not None and description.strip() != agency.description:
        agency.description = description.strip()
        agency.save(update_fields=["description", "updated_at"])
        changed["description"] = True
    if regions_served is not None:
        codes = sorted({getattr(r, "pk", r) for r in regions_served})
        if Region.objects.filter(code__in=codes).count() != len(codes):
            raise ValidationError("行政区划代码不存在 / unknown region code", code="region")
        agency.regions_served.set(codes)
        changed["regions_served"] = codes
    if changed:
        _storefront_audit(by, agency, changed)
    return agency


def _case_year(year, today: dt.date) -> int | None:
    if year in (None, ""):
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("年份无效 / invalid year", code="year") from None
    if not 1949 <= year <= today.year:
        raise ValidationError("年份无效 / invalid year", code="year")
    return year


@transaction.atomic
def save_case(*, by, agency: Agency, title: str, year=None, client: str = "", description: str = "",
              case: Case | None = None, today: dt.date | None = None) -> Case:
    today = today or timezone.localdate()
    check_editor(by, agency)
    if not (title or "").strip():
        raise ValidationError("请填写项目名称 / the title is required", code="required")
    year = _case_year(year, today)
    if case is None:
        case = Case(agency=agency)
    elif case.agency_id != agency.pk:
        raise ValidationError("案例不属于该机构 / not this agency's case", code="owner")
    case.title, case.year, case.client, case.description = title.strip(), year, client.strip(), description.strip()
    case.save()
    _storefront_audit(by, agency, {"case": case.pk})
    return case


@transaction.atomic
def remove_case(*, by, agency: Agency, case: Case) -> None:
    check_editor(by, agency)
    if case.agency_id != agency.pk:
        raise ValidationError("案例不属于该机构 / not this agency's case", code="owner")
    pk = case.pk
    case.delete()
    _storefront_audit(by, agency, {"case_removed": pk})


def _storefront_audit(by, agency: Agency, data: dict) -> None:
    audit.record(action=events.STOREFRONT_UPDATED.action, by=by, obj=agency, organisation=agency.organisation_id,
                 data={"uscc": agency.uscc, **data})
