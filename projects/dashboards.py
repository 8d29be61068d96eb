"""Dashboard panels: the owner's postings with whose turn, the agency's registrations and offers,
the regulator's objection queue."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import selectors as agency_selectors
from marketplace.dashboards import panel
from projects import selectors


@panel("owner")
def owner_postings(request, organisation):
    if organisation is None:
        return None
    today = timezone.localdate()
    projects = list(selectors.owner_projects(organisation)[:50])
    rows = [{"project": p, "turn": selectors.whose_turn(p, today)} for p in projects]
    return {"title": _("我的采购项目"), "template": "projects/panel_owner.html",
            "context": {"rows": rows, "org": organisation}, "order": 10}


@panel("agency")
def agency_registrations(request, organisation):
    agency = agency_selectors.agency_of(organisation)
    if agency is None:
        return None
    return {"title": _("我的报名与中选"), "template": "projects/panel_agency.html",
            "context": {"registrations": list(selectors.agency_registrations(agency)[:50]),
                        "offers": list(selectors.open_offers(agency))}, "order": 10}


@panel("regulator")
def regulator_objections(request, organisation):
    return {"title": _("待答复的质疑"), "template": "projects/panel_regulator.html",
            "context": {"objections": selectors.objections_queue(request.user)}, "order": 20}
