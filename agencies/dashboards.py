"""Dashboard panels: the agency's own status, and the admission review queue for regulators/operators."""

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import selectors
from agencies.models import ChangeRequest
from marketplace import permissions
from marketplace.dashboards import panel
from marketplace.policy import current_policy


@panel("agency")
def agency_status(request, organisation):
    agency = selectors.agency_of(organisation)
    if agency is None:
        return None
    today = timezone.localdate()
    return {
        "title": _("入驻与资质"), "template": "agencies/panels/agency.html", "order": 10,
        "context": {
            "agency": agency,
            "expiring": list(selectors.expiring_qualifications(agency, today,
                                                               current_policy().qualification_reminder_days)),
            "changes": list(agency.change_requests.filter(status=ChangeRequest.Status.PENDING)),
        },
    }


def _review_panel(request, organisation):
    today = timezone.localdate()
    applications = selectors.review_queue(request.user)
    changes = selectors.pending_changes(request.user)
    overdue = sum(selectors.is_overdue(a.review_due_on, today) for a in applications) + sum(
        selectors.is_overdue(c.due_on, today) for c in changes)
    return {
        "title": _("入驻审核"), "template": "agencies/panels/review.html", "order": 10,
        "context": {"applications": applications, "changes": changes, "today": today, "overdue": overdue,
                    "can_import": permissions.can(request.user, "agencies.import")},
    }


panel("regulator")(_review_panel)
panel("operator")(_review_panel)
