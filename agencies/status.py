"""Writes of an admitted agency's status (sanctions) and of the blacklist that bars a USCC from applying."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.events import STATUS_CHANGED
from agencies.models import Agency, Blacklist
from agencies.permissions import check_actor
from agencies.states import MACHINE, REINSTATEMENT, SANCTIONS, S, sanction_transition


def blacklist_error(entry: Blacklist) -> ValidationError:
    return ValidationError(
        f"该统一社会信用代码在黑名单中，{entry.ends_on:%Y-%m-%d} 前不能申请入驻 / this USCC is blacklisted until "
        f"{entry.ends_on:%Y-%m-%d} and cannot apply", code="blacklisted")


def add_to_blacklist(*, uscc: str, reason: str, starts_on: dt.date, ends_on: dt.date) -> Blacklist:
    """Bar `uscc` from applying from `starts_on` through `ends_on` (the caller audits the sanction behind it)."""
    return Blacklist.objects.create(uscc=uscc, reason=reason, starts_on=starts_on, ends_on=ends_on)


def end_blacklist(*, uscc: str, starts_on: dt.date, ends_on: dt.date) -> int:
    """End the blacklist entries of `uscc` that started on `starts_on` on `ends_on` (a lifted sanction)."""
    return Blacklist.objects.filter(uscc=uscc, starts_on=starts_on).update(ends_on=ends_on)


@transaction.atomic
def set_status(*, agency: Agency, to: str, by, reason: str, until: dt.date | None = None,
               today: dt.date | None = None) -> Agency:
    """Suspend, restore, remove or blacklist an agency (called by ratings sanctions and regulators).

    `until` is the end of a suspension, or for `blacklisted` the last day of the blacklist (a
    `Blacklist` row is written so the code cannot apply again before then).
    """
    today = today or timezone.localdate()
    check_actor(by, "agencies.set_status", agency)
    if to not in SANCTIONS:
        raise ValidationError(f"不支持的状态 / unsupported status: {to}", code="transition")
    if not (reason or "").strip():
        raise ValidationError("必须写明原因 / a reason is required", code="reason")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    name = sanction_transition(agency, to)
    agency.suspended_until = until if to == S.SUSPENDED else None
    agency.status_reason = reason.strip()
    MACHINE.transition(agency, name, by=by, action=STATUS_CHANGED.action, organisation=agency.organisation_id,
                       data={"until": until}, reason=reason, extra_fields=["suspended_until", "status_reason"])
    if to == S.BLACKLISTED and until is not None:
        add_to_blacklist(uscc=agency.uscc, reason=reason.strip(), starts_on=today, ends_on=until)
    return agency


@transaction.atomic
def reinstate(*, agency: Agency, by, reason: str) -> Agency:
    """Return a removed or blacklisted agency to 已入驻 once the removal behind it is lifted (ratings audits the lift)."""
    check_actor(by, "agencies.set_status", agency)
    if not (reason or "").strip():
        raise ValidationError("必须写明原因 / a reason is required", code="reason")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    agency.suspended_until, agency.status_reason = None, reason.strip()
    REINSTATEMENT.transition(agency, "reinstate", by=by, action=STATUS_CHANGED.action,
                             organisation=agency.organisation_id, data={"until": None}, reason=reason,
                             extra_fields=["suspended_until", "status_reason"])
    return agency
