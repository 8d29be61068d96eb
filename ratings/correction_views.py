"""The regulator's correction of a credit ledger line, from the agency's ledger page in the workspace.

The ledger is append-only: a correction is a new line that voids the mistaken one
(`agencies.credit.correct_credit_event`), with the reason and the regulator, audited; the agency's
score, grade and rating summary are recomputed when it commits.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import credit
from agencies.models import CreditEvent
from marketplace.feedback import show_errors
from marketplace.permissions import require


@require_POST
def correct(request, event_id: int):
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    event = get_object_or_404(CreditEvent.objects.select_related("agency"), pk=event_id)
    require(request.user, "agencies.correct_credit_event", event.agency)
    try:
        credit.correct_credit_event(event=event, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已更正：原记录已撤销，信用分将重新计算 / corrected: the line is voided and the "
                                    "credit recomputed"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("ratings:agency_ledger", uscc=event.agency.uscc)
