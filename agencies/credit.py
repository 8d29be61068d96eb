"""Writing to the credit ledger. Every app that causes a credit event calls `record_credit_event`;
the ratings app subscribes to `agencies.credit_event_recorded` and recomputes the agency's score."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from agencies.models import Agency, CreditEvent
from marketplace import audit


@transaction.atomic
def record_credit_event(*, agency: Agency, code: str, date: dt.date, cause: str,
                        cause_obj: models.Model | None = None, by=None,
                        state: str = CreditEvent.State.COUNTED, safety_related: bool = False) -> CreditEvent:
    """Append one ledger line. Idempotent per (agency, code, cause object): a replay returns the existing line."""
    if code not in CreditEvent.Code.values:
        raise ValidationError(f"未知的信用事项 / unknown credit event code: {code}")
    if not cause.strip():
        raise ValidationError("必须写明原因 / a cause is required")
    cause_type, cause_id = audit.object_ref(cause_obj)
    if cause_id:
        existing = CreditEvent.objects.filter(agency=agency, code=code, cause_type=cause_type, cause_id=cause_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            event = CreditEvent.objects.create(agency=agency, code=code, date=date, state=state, cause=cause,
                                               cause_type=cause_type, cause_id=cause_id, created_by=by,
                                               safety_related=safety_related)
    except IntegrityError:
        return CreditEvent.objects.get(agency=agency, code=code, cause_type=cause_type, cause_id=cause_id)
    audit.record(action="agencies.credit_event_recorded", by=by, obj=event, organisation=agency.organisation_id,
                 data={"agency": agency.uscc, "code": code, "date": date, "state": state,
                       "cause_type": cause_type, "cause_id": cause_id}, reason=cause)
    return event
