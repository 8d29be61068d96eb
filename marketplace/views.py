from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import dashboards, permissions, workdays
from marketplace.accounts import services as account_services
from marketplace.feedback import show_errors
from marketplace.models import Invitation, Membership, Organisation

ROLE_ORDER = ["operator", "regulator", "owner", "agency"]


@login_required
def dashboard(request):
    """Send the user to the dashboard of their (first) organisation; no organisation → a welcome page."""
    orgs = permissions.organisations(request.user)
    if request.user.is_superuser and not orgs:
        return redirect("dashboard_role", role="operator", org_id=0)
    if not orgs:
        return render(request, "marketplace/dashboard_none.html")
    orgs.sort(key=lambda o: ROLE_ORDER.index(o.kind))
    return redirect("dashboard_role", role=orgs[0].kind, org_id=orgs[0].pk)


@login_required
def dashboard_role(request, role: str, org_id: int):
    if role not in Organisation.Kind.values:
        raise Http404
    organisation = None
    if org_id:
        organisation = get_object_or_404(Organisation, pk=org_id)
        if organisation.kind != role or not permissions.is_member(request.user, organisation):
            raise PermissionDenied(_("您不是该单位成员 / you are not a member of this organisation"))
    elif not (role == "operator" and permissions.is_operator(request.user)):
        raise PermissionDenied(_("无权访问 / not allowed"))
    context = {
        "role": role,
        "organisation": organisation,
        "panels": dashboards.panels_for(role, request, organisation),
        "members": organisation.memberships.select_related("user") if organisation else [],
        "invitations": organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        if organisation else [],
        "can_manage_members": bool(organisation) and permissions.can(request.user, "marketplace.manage_members", organisation),
        "calendar_warning": workdays.unconfirmed_years(timezone.localdate()) if role == "operator" else [],
        "roles": Membership.Role.choices,
    }
    return render(request, "marketplace/dashboard.html", context)


@login_required
@require_POST
def invite_member(request, org_id: int):
    organisation = get_object_or_404(Organisation, pk=org_id)
    if not permissions.can(request.user, "marketplace.manage_members", organisation):
        raise PermissionDenied
    try:
        account_services.invite(by=request.user, organisation=organisation, email=request.POST.get("email", ""),
                                role=request.POST.get("role", Membership.Role.STAFF))
        messages.success(request, _("邀请已发送 / invitation sent"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("dashboard_role", role=organisation.kind, org_id=organisation.pk)


@login_required
def invitation_accept(request, token: str):
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            account_services.accept_invitation(by=request.user, token=token)
            messages.success(request, _("已加入 %(org)s") % {"org": invitation.organisation.name})
            return redirect("dashboard")
        except ValidationError as exc:
            show_errors(request, exc)
    return render(request, "marketplace/invitation.html", {"invitation": invitation})


