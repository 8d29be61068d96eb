from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


# ---- error pages: the site's layout and language, with a way back ------------------------------

_ERRORS = {
    400: (gettext_lazy("请求有误"), gettext_lazy("提交的内容无法处理，请返回上一页检查后重试。")),
    403: (gettext_lazy("没有权限"), gettext_lazy("您当前的账号无权访问此页面。如需办理，请切换到有权限的单位账号。")),
    404: (gettext_lazy("页面不存在"), gettext_lazy("您访问的页面不存在或已被移除，请检查地址。")),
    429: (gettext_lazy("操作过于频繁"), gettext_lazy("请稍等片刻后再试。")),
    500: (gettext_lazy("系统暂时出错"), gettext_lazy("服务器处理请求时出错，已记录。请稍后再试。")),
}


def error_page(request, status: int, exception=None):
    """Render the error page for `status` (400/403/404/429/500) inside the site's layout."""
    title, text = _ERRORS[status]
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    try:
        same_site = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    except Exception:  # noqa: BLE001 — a 400 for a disallowed Host header has no trustworthy host
        same_site = False
    context = {"status": status, "title": title, "text": text,
               "back": referer if same_site and status != 500 else ""}
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # noqa: BLE001 — a broken page (e.g. database down) must still answer
        from django.template import loader

        body = loader.get_template("error_plain.html").render(context)
        return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400, exception)


def permission_denied(request, exception=None):
    return error_page(request, 403, exception)


def page_not_found(request, exception=None):
    return error_page(request, 404, exception)


def too_many_requests(request, exception=None):
    return error_page(request, 429, exception)


def csrf_failure(request, reason=""):
    """An expired or missing form token: the 403 page (the form can be reloaded and sent again)."""
    return error_page(request, 403)


def server_error(request):
    return error_page(request, 500)


def verify_draw_tool(request):
    """tools/verify_draw.py for download: the standalone checker the draw record page links."""
    from django.conf import settings
    from django.http import FileResponse

    path = settings.BASE_DIR / "tools" / "verify_draw.py"
    return FileResponse(path.open("rb"), as_attachment=True, filename="verify_draw.py",
                        content_type="text/x-python; charset=utf-8")
