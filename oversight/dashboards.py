"""The regulator dashboard's risk panel: open flags in the regulator's scope, by severity."""

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.dashboards import panel


@panel("regulator")
def regulator_risk(request, organisation):
    from oversight import selectors

    counts = selectors.open_counts(request.user)
    return {"title": _("风险监测"), "template": "oversight/panel_regulator.html", "order": 15,
            "context": {"counts": counts, "total": sum(counts.values()), "url": reverse("oversight:flags")}}
