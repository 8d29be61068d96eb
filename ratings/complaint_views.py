"""Pages of the public complaint channel: the form anyone may use (no account needed), the tracking
page, and the regulator's form for complaints received by phone, letter or visit and its attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from agencies.identifiers import normalise
from agencies.models import Agency
from marketplace.feedback import show_errors
from marketplace.permissions import require
from marketplace.policy import current_policy
from ratings import public_complaints as pc
from ratings.models import Complaint

C = Complaint
SESSION_KEY = "complaint_tracking"
HONEYPOT = "website"
# The longest value each posted field may have (the service checks the contact and text again).
FIELD_MAX = {"target": 8, "channel": 8, "agency": 18, "project": 40, "name": pc.NAME_MAX, "phone": pc.PHONE_MAX,
             "email": pc.EMAIL_MAX, "text": pc.TEXT_MAX, HONEYPOT: 200, "code": 40}
REJECTED = "提交未通过校验，请刷新页面后重试 / the submission was rejected; reload the page and try again"


def client_ip(request) -> str:
    """The client's address as the login throttle sees it (allauth honours the trusted proxy settings)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ValueError):
        return "unknown"


def _check_input(data, *, honeypot: bool = True) -> None:
    """NUL bytes, over-long values and a filled honeypot are refused before anything is looked up."""
    pc.refuse_nul(*(data.get(key, "") for key in FIELD_MAX))
    too_long = [key for key, limit in FIELD_MAX.items() if len(data.get(key, "")) > limit]
    if too_long:
        raise ValidationError(f"输入过长 / input too long: {', '.join(too_long)}")
    if honeypot and data.get(HONEYPOT, ""):
        raise ValidationError(REJECTED)


def _lookups(data, *, visible_only: bool = True):
    """The agency (by USCC) and project (by code) named in the form; unknown ones are refused."""
    from projects.models import Project

    uscc, code = normalise(data.get("agency", "")), data.get("project", "").strip()
    agencies = Agency.objects.select_related("region", "organisation")
    agency = agencies.filter(uscc=uscc, status__in=pc.COMPLAINABLE).first() if uscc else None
    if uscc and agency is None:
        raise ValidationError(_("未找到该机构 / no such agency"))
    projects = Project.objects.select_related("service_type", "owner").exclude(status=Project.Status.DRAFT)
    project = projects.filter(code=code).first() if code else None
    if code and project is None:
        raise ValidationError(_("项目编号不存在 / no project with that code"))
    return agency, project


def _named(data):
    """The agency and project a link pre-fills (shown by name), ignoring unknown ones."""
    try:
        return _lookups(data)
    except ValidationError:
        return None, None


def _form_context(data, **extra) -> dict:
    agency, project = _named(data)
    target = data.get("target", "") or C.Target.AGENCY
    return {"post": data, "agency": agency, "project": project, "target": target, "targets": C.Target.choices,
            "policy": current_policy(), **extra}


@csrf_protect
@require_http_methods(["GET", "POST"])
def complaint_public(request):
    """The public complaint form: no account needed, throttled per network address and per contact."""
    if request.method == "GET":
        return render(request, "ratings/complaint/public_form.html", _form_context(request.GET))
    data, policy, status = request.POST, current_policy(), 200
    try:
        ip = client_ip(request)
        pc.check_throttle(ip=ip, phone=data.get("phone", "")[:pc.PHONE_MAX],
                          email=data.get("email", "")[:pc.EMAIL_MAX], policy=policy)
        pc.count_attempt(ip=ip)
        _check_input(data)
        agency, project = _lookups(data)
        target = data.get("target", "")
        complaint = pc.file_public_complaint(
            target=target, agency=agency if target == C.Target.AGENCY else None, project=project,
            text=data.get("text", ""), name=data.get("name", ""), phone=data.get("phone", ""),
            email=data.get("email", ""), files=request.FILES.getlist("files"), by=request.user)
    except pc.Throttled as exc:
        show_errors(request, exc)
        status = 429
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        pc.count_filing(phone=complaint.contact_phone, email=complaint.contact_email)
        request.session[SESSION_KEY] = complaint.tracking_code
        return redirect("ratings:complaint_filed")
    return render(request, "ratings/complaint/public_form.html", _form_context(data), status=status)


def complaint_filed(request):
    """Once, after filing: the tracking number to keep."""
    code = request.session.pop(SESSION_KEY, None)
    if not code:
        return redirect("ratings:complaint_track")
    return render(request, "ratings/complaint/filed.html", {"code": code})


@csrf_protect
@require_http_methods(["GET", "POST"])
def complaint_track(request):
    """Look a complaint up by its tracking number: its status and the regulator's answer, nothing else."""
    complaint, status = None, 200
    if request.method == "POST":
        try:
            pc.check_lookup(ip=client_ip(request), policy=current_policy())
            _check_input(request.POST, honeypot=False)
            complaint = pc.lookup(request.POST.get("code", ""))
            if complaint is None:
                raise ValidationError(_("未找到该查询码对应的投诉 / no complaint with that tracking number"))
        except pc.Throttled as exc:
            show_errors(request, exc)
            status = 429
        except ValidationError as exc:
            show_errors(request, exc)
    return render(request, "ratings/complaint/track.html", {"complaint": complaint}, status=status)


# ---- regulator ------------------------------------------------------------------------------------


def _regulator(request) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    require(request.user, "ratings.workspace")


def complaint_record(request):
    """A regulator records a complaint received by phone, letter or visit; it is routed like any other."""
    _regulator(request)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            _check_input(data, honeypot=False)
            agency, project = _lookups(data)
            target = data.get("target", "")
            complaint = pc.record_complaint(
                by=request.user, channel=data.get("channel", ""), target=target,
                agency=agency if target == C.Target.AGENCY else None, project=project, text=data.get("text", ""),
                name=data.get("name", ""), phone=data.get("phone", ""), email=data.get("email", ""),
                files=request.FILES.getlist("files"))
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("投诉已登记，查询码 %(code)s（请告知投诉人） / complaint recorded, tracking "
                                        "number %(code)s") % {"code": complaint.tracking_code})
            return redirect("ratings:complaints")
    return render(request, "ratings/complaint/record_form.html",
                  _form_context(data, channels=[c for c in C.Channel.choices if c[0] in pc.RECORDED_CHANNELS]))


def complaint_file(request, pk: int, file_id: int):
    """An attachment, streamed to a regulator competent for the complaint."""
    _regulator(request)
    complaint = get_object_or_404(Complaint.objects.select_related("agency", "project__service_type"), pk=pk)
    require(request.user, "ratings.view_complaint_files", complaint)
    row = complaint.files.filter(pk=file_id).first()
    if row is None:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=row.name, content_type=row.content_type)
