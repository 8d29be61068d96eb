"""Public JSON API for projects: never drafts, never a sealed quote before the window closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from marketplace import pagination
from projects import selectors
from projects.states import PUBLIC_STATUSES, quotes_visible, selection_may_run
from projects.supervision import supervision_log

router = Router(tags=["projects"])
PAGE_SIZE = 20


class ProjectOut(Schema):
    code: str
    title: str
    owner: str
    service_type: str
    service_type_name: str
    region: str
    method: str
    funding: str
    status: str
    urgent: bool
    ceiling: Decimal
    floor: Decimal | None
    requested_limit_wd: int
    published_at: dt.datetime | None
    registration_deadline: dt.datetime | None
    commitment: str
    registrations: int
    selected: str | None
    awarded_price: Decimal | None


class Page(Schema):
    count: int
    page: int
    pages: int
    results: list[ProjectOut]
    next_cursor: str | None = None


def _out(p, registrations: int) -> dict:
    open_ = quotes_visible(p)
    return {
        "code": p.code, "title": p.title, "owner": p.owner.name, "service_type": p.service_type_id,
        "service_type_name": p.service_type.name, "region": p.region_id, "method": p.method, "funding": p.funding,
        "status": p.status, "urgent": p.urgent, "ceiling": p.ceiling, "floor": p.floor,
        "requested_limit_wd": p.requested_limit_wd, "published_at": p.published_at,
        "registration_deadline": p.registration_deadline, "commitment": p.draw_commitment,
        "registrations": registrations,
        "selected": p.selected.agency.uscc if p.selected_id else None,
        "awarded_price": p.awarded_price if open_ else None,
    }


def _published_param(value: str):
    return connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(value))


# Newest first (Project.Meta.indexes `perf_project_published`); cursor pages compare (published_at, id).
LIST_KEY = (
    pagination.KeyPart('"projects_project"."published_at"', lambda p: p.published_at.isoformat(), _published_param),
    pagination.KeyPart('"projects_project"."id"', lambda p: p.pk),
)


@router.get("", response=Page)
def list_projects(request, service_type: str = "", region: str = "", method: str = "", status: str = "",
                  page: int = 1, cursor: str | None = None):
    """Public postings, newest first. Follow `next_cursor` (`?cursor=…`, `page` is then 0) for pages read
    from the index whatever the number of postings; `?page=N` still works. `count` may lag up to 30 s."""
    filters = {"service_type": service_type, "region": region, "method": method, "status": status}
    qs = selectors.public_projects(**filters)
    count = pagination.cached_count(qs, pagination.count_key("api-projects", **filters))
    pages = max(1, -(-count // PAGE_SIZE))
    if cursor:
        try:
            found = pagination.keyset_page(qs, LIST_KEY, cursor=cursor, size=PAGE_SIZE, descending=True)
        except pagination.BadCursor as exc:
            raise HttpError(400, str(exc)) from None
        return {"count": count, "page": 0, "pages": pages, "next_cursor": found.next_cursor,
                "results": [_out(p, p.registration_count) for p in found.rows]}
    page = min(max(1, page), pages)
    rows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE and rows[PAGE_SIZE - 1].published_at is not None
    rows = rows[:PAGE_SIZE]
    return {"count": count, "page": page, "pages": pages,
            "next_cursor": pagination.encode_cursor([k.read(rows[-1]) for k in LIST_KEY]) if more else None,
            "results": [_out(p, p.registration_count) for p in rows]}


def _public(code: str):
    try:
        project = selectors.project_detail(code)
    except Exception:
        raise Http404
    if project.status not in PUBLIC_STATUSES:
        raise Http404
    return project


def _turn(project) -> dict:
    turn = selectors.whose_turn(project)
    return {"party": turn.party, "label": turn.label,
            "since": turn.since.isoformat() if turn.since else None,
            "due": turn.due.isoformat() if turn.due else None}


@router.get("/{code}")
def project_detail(request, code: str):
    project = _public(code)
    data = _out(project, project.registrations.count())
    data.update({
        "scope": project.scope, "investment_code": project.investment_code,
        "qual_mode": project.qual_mode,
        "required_qualifications": [{"type": q.qualification_type, "min_level": q.min_level}
                                    for q in project.required_qualifications.all()],
        "required_practitioners": [{"kind": r.kind, "count": r.count} for r in project.required_practitioners.all()],
        "avoided": [{"uscc": a.uscc, "name": a.name, "reason": a.reason} for a in project.avoided.all()],
        "revisions": [{"number": r.number, "at": r.created_at, "reason": r.reason, "diff": r.diff,
                       "material": r.material, "deadline": r.new_deadline} for r in project.revisions.all()],
        "beacon_source": project.beacon_source,
        "cancel_reason": project.cancel_reason, "failed_reason": project.failed_reason,
        "publicity_ends_on": project.publicity_ends_on,
        "whose_turn": _turn(project),
        "supervision": [step.as_json() for step in supervision_log(project)],
    })
    if quotes_visible(project) and not selection_may_run(project):
        data["quotes"] = [{"uscc": r.agency.uscc, "quote": r.quote, "at": r.quote_submitted_at}
                          for r in project.registrations.select_related("agency") if r.quote is not None]
    return data


@router.get("/{code}/draw")
def project_draw(request, code: str):
    """The draw record (published with the result); verify it with tools/verify_draw.py."""
    project = _public(code)
    if not project.draw_record:
        raise Http404("no draw record")
    return project.draw_record


@router.get("/{code}/clarifications")
def project_clarifications(request, code: str):
    """The posting's questions and answers (public for published postings; the asker is never named)."""
    from projects.clarifications import public_clarifications

    project = _public(code)
    return [{"number": q["number"], "question": q["question"], "asked_at": q["asked_at"],
             "answer_due": q["answer_due"], "answer": q["answer"] or None, "answered_at": q["answered_at"],
             "revision": q["revision"]} for q in public_clarifications(project)]


@router.get("/{code}/attachments")
def project_attachments(request, code: str):
    """The posting's files (public once published): name, type, size, SHA-256 and the download URL."""
    from django.urls import reverse

    project = _public(code)
    return [{"name": a.name, "title": a.title, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
             "uploaded_at": a.uploaded_at, "revision": a.revision.number if a.revision_id else None,
             "url": reverse("projects:attachment", args=[project.code, a.pk])}
            for a in project.attachments.select_related("revision")]
