"""Ratings and credit API: explain an agency's credit, rate, appeal, complain, repair, decide.

`router` is mounted at /api/ratings/. The public address `GET /api/agencies/{uscc}/credit` is served
by `agencies_credit_router`, mounted at /api/agencies next to the agencies app's own router. Writes use
session authentication with CSRF.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from agencies.credit import correct_credit_event
from agencies.identifiers import normalise
from agencies.models import Agency, CreditEvent
from agencies.permissions import PUBLIC_STATUSES
from marketplace import workdays
from marketplace.feedback import error_text
from marketplace.inputs import ApiDate
from marketplace.policy import current_policy
from ratings import selectors, services
from ratings.models import Appeal, Complaint, Rating, RepairApplication

router = Router(tags=["ratings"])
agencies_credit_router = Router(tags=["credit"])


class Problem(Schema):
    detail: str


def _errors(fn):
    """Turn the services' refusals into 403/400 answers carrying their bilingual message."""

    @wraps(fn)
    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except PermissionDenied as exc:
            return 403, {"detail": str(exc) or "无权执行此操作 / not allowed"}
        except ValidationError as exc:
            return 400, {"detail": error_text(exc)}

    return wrapper


# ---- explain ------------------------------------------------------------------------------


def credit_explained(uscc: str, as_of: dt.date | None = None) -> dict:
    """score, grade, forced, sanctions in force and every ledger line (code, date, state, points, cause)."""
    agency = get_object_or_404(Agency, uscc=normalise(uscc), status__in=PUBLIC_STATUSES)
    as_of = as_of or workdays.today()
    result = selectors.credit_report(agency, as_of=as_of, policy=current_policy())
    lines = []
    for row in selectors.explained_lines(agency, result):
        ln, event, correction = row["line"], row["event"], row["correction"]
        lines.append({**ln.as_dict(), "id": ln.ref, "cause_type": event.cause_type if event else "",
                      "cause_id": event.cause_id if event else "",
                      "corrects": event.corrects_id if event else None,
                      "corrected": {"by_line": correction.pk, "date": correction.date.isoformat(),
                                    "reason": correction.cause,
                                    "by": correction.created_by.get_short_name() if correction.created_by else ""}
                      if correction else None})
    return {"uscc": agency.uscc, "name": agency.name, "as_of": as_of.isoformat(), "score": result.score,
            "grade": result.grade, "forced": result.forced, "policy_version": result.policy_version,
            "window_start": result.window_start.isoformat(), "deductions": result.deductions,
            "bonuses": result.bonuses, "bonus_applied": result.bonus_applied,
            "sanctions": [{"kind": s.kind, "starts_on": s.starts_on.isoformat(),
                           "ends_on": s.ends_on.isoformat() if s.ends_on else None, "cause": s.cause}
                          for s in selectors.sanctions_in_force(agency, as_of)],
            "lines": lines}


@router.get("/agencies/{uscc}/credit", response={200: dict, 404: Problem})
def agency_credit(request, uscc: str, as_of: ApiDate | None = None):
    return credit_explained(uscc, as_of)


@agencies_credit_router.get("/{uscc}/credit", response={200: dict, 404: Problem})
def agency_credit_public(request, uscc: str, as_of: ApiDate | None = None):
    return credit_explained(uscc, as_of)


# ---- ratings ------------------------------------------------------------------------------


class RatingIn(Schema):
    quality: int
    timeliness: int
    attitude: int
    fee: int
    conduct: int
    reason: str = ""


def _rating_out(r: Rating) -> dict:
    return {"id": r.pk, "project": r.project.code, "agency": r.agency.uscc, "accepted_on": r.accepted_on.isoformat(),
            "due_on": r.due_on.isoformat(), "result": r.result, "mean": str(r.mean) if r.mean is not None else None,
            "automatic": r.automatic, "scores": r.scores(), "rated_on": r.rated_on.isoformat() if r.rated_on else None}


@router.get("/ratings", auth=django_auth, response=list[dict])
def my_ratings(request):
    """Ratings the user's owner organisations give (pending first) and those their agencies received."""
    given = list(selectors.pending_ratings_for(request.user)[:200])
    received = list(selectors.received_ratings_for(request.user)[:200])
    return [_rating_out(r) for r in given + received]


@router.post("/ratings/{rating_id}/rate", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def rate(request, rating_id: int, payload: RatingIn):
    rating = get_object_or_404(Rating.objects.select_related("project", "agency"), pk=rating_id)
    rating = services.record_rating(rating=rating, by=request.user, scores=payload.dict(exclude={"reason"}),
                                    reason=payload.reason)
    return 200, _rating_out(rating)


class AppealIn(Schema):
    reason: str


@router.post("/ratings/{rating_id}/appeal", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def appeal(request, rating_id: int, payload: AppealIn):
    rating = get_object_or_404(Rating.objects.select_related("agency"), pk=rating_id)
    a = services.file_appeal(rating=rating, by=request.user, reason=payload.reason)
    return 200, {"id": a.pk, "status": a.status, "decide_by": a.decide_by.isoformat()}


class DecisionIn(Schema):
    accept: bool
    note: str


@router.post("/appeals/{appeal_id}/decide", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def decide_appeal(request, appeal_id: int, payload: DecisionIn):
    a = get_object_or_404(Appeal, pk=appeal_id)
    a = services.decide_appeal(appeal=a, by=request.user, upheld=payload.accept, note=payload.note)
    return 200, {"id": a.pk, "status": a.status}


# ---- complaints and repair ---------------------------------------------------------------------


class ComplaintIn(Schema):
    agency: str
    text: str
    project: str | None = None


@router.post("/complaints", auth=django_auth, response={200: dict, 400: Problem, 403: Problem, 404: Problem})
@_errors
def complain(request, payload: ComplaintIn):
    from projects.models import Project

    agency = get_object_or_404(Agency, uscc=normalise(payload.agency))
    project = get_object_or_404(Project, code=payload.project) if payload.project else None
    c = services.file_complaint(agency=agency, by=request.user, text=payload.text, project=project)
    return 200, {"id": c.pk, "status": c.status, "respond_by": c.respond_by.isoformat(),
                 "regulator": c.regulator.name if c.regulator else None}


@router.post("/complaints/{complaint_id}/decide", auth=django_auth,
             response={200: dict, 400: Problem, 403: Problem})
@_errors
def decide_complaint(request, complaint_id: int, payload: DecisionIn):
    c = get_object_or_404(Complaint, pk=complaint_id)
    c = services.decide_complaint(complaint=c, by=request.user, verified=payload.accept, response=payload.note)
    return 200, {"id": c.pk, "status": c.status}


class RepairIn(Schema):
    event: int
    reason: str


@router.post("/repairs", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def apply_repair(request, payload: RepairIn):
    event = get_object_or_404(CreditEvent, pk=payload.event)
    r = services.apply_repair(event=event, by=request.user, reason=payload.reason)
    return 200, {"id": r.pk, "status": r.status}


@router.post("/repairs/{repair_id}/decide", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def decide_repair(request, repair_id: int, payload: DecisionIn):
    r = get_object_or_404(RepairApplication, pk=repair_id)
    r = services.decide_repair(application=r, by=request.user, approved=payload.accept, note=payload.note)
    return 200, {"id": r.pk, "status": r.status}


class CorrectionIn(Schema):
    reason: str


@router.post("/ledger/{event_id}/correct", auth=django_auth, response={200: dict, 400: Problem, 403: Problem})
@_errors
def correct_event(request, event_id: int, payload: CorrectionIn):
    """A covering regulator voids a ledger line by a correction line (the ledger is append-only)."""
    event = get_object_or_404(CreditEvent.objects.select_related("agency"), pk=event_id)
    c = correct_credit_event(event=event, by=request.user, reason=payload.reason)
    return 200, {"id": c.pk, "corrects": event.pk, "state": c.state}
