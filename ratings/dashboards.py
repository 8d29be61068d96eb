"""Dashboard panels: the owner's pending ratings, the agency's credit, the regulator's queues."""

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.dashboards import panel


@panel("owner")
def owner_pending_ratings(request, organisation):
    from ratings.models import Rating

    rows = list(Rating.objects.filter(owner=organisation, result="").select_related("project", "agency")[:20])
    if not rows:
        return None
    return {"title": _("待评价的服务"), "template": "ratings/panel_owner.html", "order": 30,
            "context": {"ratings": rows, "today": timezone.localdate()}}


@panel("agency")
def agency_credit(request, organisation):
    agency = getattr(organisation, "agency", None)
    if agency is None:
        return None
    from ratings import selectors

    return {"title": _("信用"), "template": "ratings/panel_agency.html", "order": 20,
            "context": {"agency": agency, "ratings": selectors.appealable_ratings(agency)}}


@panel("regulator")
def regulator_queues(request, organisation):
    from ratings import selectors

    return {"title": _("信用监管"), "template": "ratings/panel_regulator.html", "order": 20,
            "context": selectors.queue_counts(request.user)}
