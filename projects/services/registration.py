"""Registration: agencies register with sealed quotes while the window is open; the window closes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency
from marketplace import audit
from projects import draw as draw_rules
from projects import selection as rules
from projects.eligibility import refusal_reasons
from projects.models import Project, Registration
from projects.selectors import agency_facts, legal_reps_registered, requirements_of
from projects.states import PROJECT, registration_open

from ._base import local_date, locked, now_or, require

M = Project.Method
S = Project.Status


def _check_may_register(project: Project, agency: Agency, now: dt.datetime) -> None:
    if not registration_open(project) or project.method == M.DIRECT:
        raise ValidationError("该项目不在报名期 / the project is not open for registration")
    if now >= project.registration_deadline:
        raise ValidationError("报名已截止 / registration has closed")
    if project.registrations.filter(agency=agency).exists():
        if rules.effective_method(project) == M.DRAW:
            raise ValidationError("已报名，只能出价一次 / already registered; one quote only")
        raise ValidationError("已报名，可在截止前修改报价 / already registered; revise the quote instead")
    today = local_date(now)
    reasons = refusal_reasons(agency_facts(agency, on=today), requirements_of(project), on=today,
                              earlier_legal_reps=legal_reps_registered(project))
    if reasons:
        raise ValidationError([str(r) for r in reasons])


@transaction.atomic
def register(*, by, project: Project, agency: Agency, quote=None, now: dt.datetime | None = None) -> Registration:
    """Register `agency` (and its sealed quote) while the window is open; refuse with the specific reasons."""
    require(by, "projects.register", agency)
    now = now_or(now)
    project = locked(project)
    _check_may_register(project, agency, now)
    amount = rules.clean_money(quote, "报价")
    if amount is None and rules.quote_required(project):
        raise ValidationError("本项目须报价 / this project requires a quote")
    if amount is not None:
        rules.check_quote_band(amount, floor=project.floor, ceiling=project.ceiling)
    registration = Registration.objects.create(project=project, agency=agency, registered_at=now, registered_by=by,
                                               quote=amount, quote_submitted_at=now if amount is not None else None)
    # The audit entry never carries the amount: it is sealed until the window closes.
    audit.record(action="projects.registered", by=by, obj=registration, organisation=agency.organisation_id,
                 now=now, data={"project": project.pk, "code": project.code, "agency": agency.pk,
                                "uscc": agency.uscc, "quoted": amount is not None})
    if amount is not None:
        audit.record(action="projects.quote_submitted", by=by, obj=registration,
                     organisation=agency.organisation_id, now=now,
                     data={"project": project.pk, "code": project.code, "revised": False})
    return registration


@transaction.atomic
def submit_quote(*, by, registration: Registration, amount, now: dt.datetime | None = None) -> Registration:
    """Set or (lowest price / composite only) revise a sealed quote before the window closes.

    Decision (docs/rules.md §5.3): rules limit only random draws to one quote; in price competitions a sealed quote may be
    revised until the deadline, and the tie-break uses the time of the latest quote (no advantage to
    having bid first and lowered later).
    """
    require(by, "projects.register", registration.agency)
    now = now_or(now)
    project = locked(Project, registration.project_id)
    registration = locked(registration)
    if not registration_open(project) or now >= project.registration_deadline:
        raise ValidationError("报名已截止 / registration has closed")
    if registration.quote is not None and rules.effective_method(project) == M.DRAW:
        raise ValidationError("随机抽取项目只能出价一次 / a random draw allows one quote only")
    amount = rules.clean_money(amount, "报价")
    rules.check_quote_band(amount, floor=project.floor, ceiling=project.ceiling)
    revised = registration.quote is not None
    registration.quote = amount
    registration.quote_submitted_at = now
    registration.save(update_fields=["quote", "quote_submitted_at"])
    audit.record(action="projects.quote_submitted", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.pk, "code": project.code, "revised": revised})
    return registration


def close_locked(project: Project, now: dt.datetime, by=None) -> None:
    """Close the window of a project already locked by the caller (composite goes on to its evaluation)."""
    if now < project.registration_deadline:
        raise ValidationError("报名尚未截止 / registration is still open")
    fields = PROJECT.advance(project, "close", now=now)
    project.closed_at = project.registration_deadline
    if project.method == M.COMPOSITE:
        # The evaluation panel scores next; nothing is selected until every score is in.
        fields = PROJECT.advance(project, "await_evaluation", now=now)
    project.save(update_fields=[*fields, "closed_at"])
    audit.record(action="projects.registration_closed", by=by, obj=project, organisation=project.owner_id,
                 now=now, data={"closed_at": draw_rules.format_closed_at(project.closed_at),
                                "registrations": project.registrations.count()})


@transaction.atomic
def close_registration(*, project: Project, now: dt.datetime | None = None, by=None) -> Project:
    """Close the window at (or after) the deadline; `closed_at` is the published deadline itself."""
    project = locked(project)
    close_locked(project, now_or(now), by)
    return project


def close_due(now: dt.datetime | None = None) -> list[str]:
    """Sweep: close every window whose deadline has passed (idempotent)."""
    now = now_or(now)
    closed = []
    for pk in Project.objects.filter(status=S.PUBLISHED, registration_deadline__lte=now).exclude(
            method=M.DIRECT).values_list("pk", flat=True):
        with transaction.atomic():
            project = locked(Project, pk)
            if registration_open(project) and project.registration_deadline <= now:
                close_locked(project, now)
                closed.append(project.code)
    return closed
