"""Dashboard panels: the agency's jobs, the owner's "waiting on me", the regulator's warning lists."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from marketplace.dashboards import panel
from marketplace.workdays import get_calendar, today

from . import selectors
from .status import WAIT_LABELS


def _kw():
    return {"today": today(), "calendar": get_calendar()}


@panel("agency")
def agency_jobs(request, organisation):
    if organisation is None:
        return None
    items = selectors.agency_rows(organisation, **_kw())
    counts = Counter(r.state for r in items)
    return {"title": _("服务任务 / service jobs"), "template": "delivery/panel_agency.html", "order": 20,
            "context": {"rows": items, "counts": [(s, counts.get(s, 0)) for s in ("red", "yellow", "green", "waiting")]}}


@panel("owner")
def owner_waiting(request, organisation):
    if organisation is None:
        return None
    kw = _kw()
    items = selectors.owner_rows(organisation, **kw)
    waits = sorted(((r, w, WAIT_LABELS[w.kind]) for r in items for w in r.waits), key=lambda t: t[1].since)
    return {"title": _("待我处理 / waiting on me"), "template": "delivery/panel_owner.html", "order": 10,
            "context": {"waits": waits, "today": kw["today"]}}


def _warnings(organisation):
    items = selectors.regulator_rows(organisation, **_kw())
    return {"title": _("服务期限预警 / deadline warnings"), "template": "delivery/panel_regulator.html", "order": 20,
            "context": {"groups": selectors.by_region_and_department(items), "total": len(items)}}


@panel("regulator")
def regulator_warnings(request, organisation):
    return None if organisation is None else _warnings(organisation)


@panel("operator")
def operator_warnings(request, organisation):
    return _warnings(None)
