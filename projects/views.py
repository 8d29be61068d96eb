"""Project pages: public list/detail, owner, agency and regulator actions. Every write calls a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.identifiers import normalise
from agencies.models import Agency
from marketplace import permissions
from marketplace.feedback import show_errors as _errors
from marketplace.models import Region, ServiceType
from projects import selection as rules
from projects import selectors, services
from projects.forms import ContractForm, ReviseForm
from projects.models import Objection, Project, Registration
from projects.states import PROJECT, quotes_visible


def _project(code: str) -> Project:
    try:
        return selectors.project_detail(code)
    except Project.DoesNotExist:
        raise Http404


def _visible_project(request, code: str) -> Project:
    project = _project(code)
    if not permissions.can(request.user, "projects.view", project):
        raise Http404
    return project


def _owned_project(request, code: str) -> Project:
    project = _project(code)
    permissions.require(request.user, "projects.edit", project)
    return project


def _user_agency(user) -> Agency | None:
    orgs = permissions.organisations(user, "agency")
    if not orgs:
        return None
    return Agency.objects.filter(organisation__in=orgs).first()


def _own_registration(request, project: Project) -> Registration:
    agency = _user_agency(request.user)
    if agency is None:
        raise PermissionDenied(_("只有中介机构可以操作 / agencies only"))
    reg = project.registrations.filter(agency=agency).select_related("agency").first()
    if reg is None:
        raise PermissionDenied(_("您的机构未报名本项目 / your agency has not registered"))
    return reg


# ---- public -------------------------------------------------------------------------------------


def project_list(request):
    f = {k: request.GET.get(k, "") for k in ("service_type", "region", "method", "status")}
    qs = selectors.public_projects(**f)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "projects/list.html", {
        "page": page, "filters": f, "service_types": ServiceType.objects.filter(active=True),
        "regions": Region.objects.all(), "methods": Project.Method.choices,
        "statuses": [c for c in Project.Status.choices if c[0] != "draft"],
    })


def project_detail(request, code: str):
    project = _visible_project(request, code)
    user = request.user
    is_owner = permissions.can(user, "projects.edit", project)
    agency = _user_agency(user) if user.is_authenticated else None
    my_reg = project.registrations.filter(agency=agency).first() if agency else None
    open_ = quotes_visible(project)
    registrations = list(project.registrations.select_related("agency")) if (is_owner and open_) else []
    objections = list(project.objections.select_related("registration__agency"))
    can_answer = [o for o in objections if o.is_open and permissions.can(user, "projects.answer_objection", o)]
    actions = selectors.project_actions(project, is_owner=is_owner, is_agency=agency is not None, my_reg=my_reg,
                                        now=timezone.now(), today=timezone.localdate())
    return render(request, "projects/detail.html", {
        "project": project, "turn": selectors.whose_turn(project), "is_owner": is_owner, "agency": agency,
        "my_reg": my_reg, "quotes_open": open_, "registrations": registrations,
        "registration_count": project.registrations.count(), "objections": objections,
        "answerable": {o.pk for o in can_answer},
        "can_view_contract": bool(project.contract_file) and permissions.can(user, "projects.view_contract", project),
        "transitions": PROJECT.allowed(project), "actions": actions,
        "invited": list(project.invited_agencies.all()) if project.method == "invitation" else [],
    })


# ---- owner --------------------------------------------------------------------------------------


def _owner_org(request):
    orgs = permissions.organisations(request.user, "owner")
    if not orgs:
        raise PermissionDenied(_("只有项目业主可以发布需求 / owners only"))
    wanted = request.GET.get("org") or request.POST.get("org")
    for org in orgs:
        if str(org.pk) == str(wanted):
            return org
    return orgs[0]


def _post_action(request, code: str, fn, ok: str, *, owner=True):
    project = _owned_project(request, code) if owner else _visible_project(request, code)
    try:
        fn(project)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, ok)
    return redirect("projects:detail", code=code)


@login_required
@require_POST
def project_publish(request, code: str):
    return _post_action(request, code, lambda p: services.publish(by=request.user, project=p),
                        _("已发布 / published"))


@login_required
@require_POST
def project_cancel(request, code: str):
    return _post_action(request, code, lambda p: services.cancel(by=request.user, project=p,
                                                                 reason=request.POST.get("reason", "")),
                        _("已取消 / cancelled"))


@login_required
@require_POST
def project_select(request, code: str):
    return _post_action(request, code, lambda p: services.select_provider(
        by=request.user, project=p, beacon=request.POST.get("beacon") or None), _("已完成选取 / selection done"))


@login_required
@require_POST
def project_direct(request, code: str):
    def run(p):
        agency = Agency.objects.filter(uscc=normalise(request.POST.get("uscc", ""))).first()
        if agency is None:
            raise ValidationError(_("未找到该机构 / agency not found"))
        services.select_direct(by=request.user, project=p, agency=agency)
    return _post_action(request, code, run, _("已指定机构 / agency named"))


@login_required
@require_POST
def project_republish(request, code: str):
    project = _owned_project(request, code)
    try:
        new = services.republish(by=request.user, project=project, method=request.POST.get("method") or None)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("projects:detail", code=code)
    messages.success(request, _("已生成新一轮草稿 / a new round was drafted"))
    return redirect("projects:edit", code=new.code)


@login_required
@require_POST
def project_end_publicity(request, code: str):
    return _post_action(request, code, lambda p: services.end_publicity(project=p, by=request.user),
                        _("公示结束，进入合同签订 / publicity over"))


@login_required
def project_revise(request, code: str):
    project = _owned_project(request, code)
    initial = {k: getattr(project, k) for k in ("title", "scope", "ceiling", "floor", "requested_limit_wd")}
    form = ReviseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {k: d[k] for k in initial if d[k] != initial[k]}
        try:
            services.revise(by=request.user, project=project, changes=changes, reason=d["reason"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("变更公告已发布 / revision published"))
            return redirect("projects:detail", code=code)
    return render(request, "projects/revise.html", {"form": form, "project": project})


@login_required
def project_scores(request, code: str):
    project = _owned_project(request, code)
    if not quotes_visible(project) or project.method != Project.Method.COMPOSITE:
        raise PermissionDenied(_("现在不能评分 / scores cannot be entered now"))
    regs = list(project.registrations.select_related("agency"))
    if request.method == "POST":
        try:
            for reg in regs:
                value = request.POST.get(f"score_{reg.pk}", "").strip()
                if value:
                    services.enter_technical_score(by=request.user, registration=reg, score=value)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("技术分已保存 / scores saved"))
            return redirect("projects:detail", code=code)
    return render(request, "projects/scores.html", {"project": project, "registrations": regs})


@login_required
@require_POST
def decide_justification(request, code: str, reg_id: int):
    project = _owned_project(request, code)
    reg = get_object_or_404(Registration, pk=reg_id, project=project)
    return _post_action(request, code, lambda p: services.decide_justification(
        by=request.user, registration=reg, accept=request.POST.get("accept") == "1"), _("已决定 / decided"))


@login_required
def project_contract(request, code: str):
    project = _owned_project(request, code)
    form = ContractForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_contract(by=request.user, project=project, upload=form.cleaned_data["file"],
                                     signed_on=form.cleaned_data["signed_on"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("合同已上传，服务开始计时 / contract uploaded"))
            return redirect("projects:detail", code=code)
    return render(request, "projects/contract.html", {"form": form, "project": project})


@login_required
def contract_file(request, code: str):
    project = _project(code)
    if not project.contract_file or not permissions.can(request.user, "projects.view_contract", project):
        raise Http404
    return FileResponse(project.contract_file.open("rb"), content_type="application/pdf",
                        filename=f"{project.code}.pdf")


# ---- agency -------------------------------------------------------------------------------------


@login_required
def project_register(request, code: str):
    project = _visible_project(request, code)
    agency = _user_agency(request.user)
    if agency is None:
        raise PermissionDenied(_("只有中介机构可以报名 / agencies only"))
    if request.method == "POST":
        try:
            existing = project.registrations.filter(agency=agency).first()
            if existing is not None:
                services.submit_quote(by=request.user, registration=existing, amount=request.POST.get("quote"))
                messages.success(request, _("报价已更新（密封）/ quote revised (sealed)"))
            else:
                services.register(by=request.user, project=project, agency=agency,
                                  quote=request.POST.get("quote") or None)
                messages.success(request, _("报名成功 / registered"))
            return redirect("projects:detail", code=code)
        except ValidationError as exc:
            _errors(request, exc)
    return render(request, "projects/register.html", {
        "project": project, "agency": agency, "quote_required": rules.quote_required(project),
        "my_reg": project.registrations.filter(agency=agency).first()})


def _agency_action(request, code: str, fn, ok: str):
    """An agency-side action on its own registration of a visible posting."""
    return _post_action(request, code, lambda p: fn(p, _own_registration(request, p)), ok, owner=False)


@login_required
@require_POST
def selection_confirm(request, code: str):
    return _agency_action(request, code, lambda p, r: services.confirm_selection(by=request.user, registration=r),
                          _("已确认中选 / confirmed"))


@login_required
@require_POST
def selection_refuse(request, code: str):
    return _agency_action(request, code, lambda p, r: services.refuse_selection(
        by=request.user, registration=r, reason=request.POST.get("reason", "")), _("已放弃 / declined"))


@login_required
@require_POST
def justify(request, code: str):
    return _agency_action(request, code, lambda p, r: services.submit_justification(
        by=request.user, registration=r, text=request.POST.get("text", "")), _("说明已提交 / submitted"))


@login_required
@require_POST
def object_result(request, code: str):
    return _agency_action(request, code, lambda p, r: services.file_objection(
        by=request.user, project=p, registration=r, text=request.POST.get("text", "")), _("质疑已提交 / filed"))


# ---- regulator ----------------------------------------------------------------------------------


@login_required
def objection_answer(request, pk: int):
    objection = get_object_or_404(Objection.objects.select_related("project__service_type", "registration__agency"),
                                  pk=pk)
    permissions.require(request.user, "projects.answer_objection", objection)
    if request.method == "POST":
        try:
            services.answer_objection(by=request.user, objection=objection,
                                      upheld=request.POST.get("upheld") == "1", answer=request.POST.get("answer", ""))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已答复 / answered"))
            return redirect("projects:detail", code=objection.project.code)
    return render(request, "projects/objection.html", {"objection": objection})
