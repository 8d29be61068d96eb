"""Pages: rating form, appeals, complaints, repair applications, the public credit page, and the
regulator's workspace (lists by grade/region/department, ledgers, project history, sanctions, queues,
charts, what-if) with CSV/XLSX export of every list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.credit import CORRECTABLE
from agencies.models import Agency, CreditEvent
from marketplace import audit, charts, inputs, workdays
from marketplace.display import action_label, money
from marketplace.exports import DATE, DATETIME, columns, export
from marketplace.feedback import show_errors as _errors
from marketplace.models import Region
from marketplace.permissions import can, require
from marketplace.policy import Policy, current_policy, validate
from ratings import scoring, selectors, services
from ratings.models import DIMENSIONS, Appeal, Complaint, Rating, RepairApplication, Sanction

EXPORT_FORMATS = {"csv", "xlsx"}


def _fmt(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in EXPORT_FORMATS else None


def _as_of(request) -> dt.date:
    """The `as_of` query date (today when absent); a malformed or out-of-range date is a 400."""
    try:
        return inputs.date(request.GET.get("as_of", ""), label="as_of") or workdays.today()
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None


# ---- owner: rating ------------------------------------------------------------------------------


@login_required
def my_ratings(request):
    """Ratings the user's owner organisations must give and those the user's agencies received."""
    given = list(selectors.pending_ratings_for(request.user)[:100])
    received = list(selectors.received_ratings_for(request.user).prefetch_related("appeal")[:100])
    if not given and not received and not can(request.user, "ratings.workspace"):
        raise PermissionDenied(_("您没有可查看的评价 / no ratings for you"))
    return render(request, "ratings/my_ratings.html", {"given": given, "received": received,
                                                        "today": workdays.today()})


@login_required
def rate(request, pk: int):
    rating = get_object_or_404(Rating.objects.select_related("project", "agency", "owner"), pk=pk)
    require(request.user, "ratings.rate", rating)
    values = {name: request.POST.get(name, "") for name, _label in DIMENSIONS}
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            services.record_rating(rating=rating, by=request.user, scores=values, reason=reason)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("评价已提交 / rating recorded"))
            return redirect("ratings:my_ratings")
    return render(request, "ratings/rate.html", {
        "rating": rating, "dimensions": [(name, label, values.get(name, "")) for name, label in DIMENSIONS],
        "reason": reason, "policy": current_policy(), "today": workdays.today(), "stars": range(1, 6)})


# ---- agency: appeal and repair -------------------------------------------------------------------


@login_required
@require_POST
def appeal(request, pk: int):
    rating = get_object_or_404(Rating.objects.select_related("agency"), pk=pk)
    require(request.user, "ratings.appeal", rating)
    try:
        services.file_appeal(rating=rating, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("申诉已提交 / appeal filed"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ratings:my_ratings")


@login_required
def repair_new(request, event_id: int):
    event = get_object_or_404(CreditEvent.objects.select_related("agency"), pk=event_id)
    require(request.user, "ratings.apply_repair", event)
    if request.method == "POST":
        try:
            services.apply_repair(event=event, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("修复申请已提交 / repair application filed"))
            return redirect("ratings:credit", uscc=event.agency.uscc)
    return render(request, "ratings/repair_form.html", {"event": event})


# ---- anyone logged in: complaint ---------------------------------------------------------------


@login_required
def complaint_new(request, uscc: str):
    from projects.models import Project

    agency = get_object_or_404(Agency, uscc=uscc)
    require(request.user, "ratings.complain", agency)
    if request.method == "POST":
        code = request.POST.get("project", "").strip()
        project = Project.objects.filter(code=code).first() if code else None
        try:
            if code and project is None:
                raise ValidationError(_("项目编号不存在 / no project with that code"))
            services.file_complaint(agency=agency, by=request.user, text=request.POST.get("text", ""), project=project)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("投诉已登记，将由主管部门处理 / complaint registered and assigned"))
            return redirect("ratings:credit", uscc=agency.uscc)
    return render(request, "ratings/complaint_form.html", {"agency": agency, "post": request.POST})


# ---- public: credit page ----------------------------------------------------------------------


def credit(request, uscc: str):
    """The agency's credit explained (the storefront includes ratings/credit_summary.html)."""
    agency = get_object_or_404(Agency.objects.select_related("region"), uscc=uscc)
    if not can(request.user, "agencies.view_storefront", agency):
        raise Http404(_("机构不存在 / no such agency"))  # a draft application is not public: 404 like the storefront
    as_of = _as_of(request)
    result = selectors.credit_report(agency, as_of=as_of)
    return render(request, "ratings/credit.html", {
        "agency": agency, "result": result, "as_of": as_of, "policy": current_policy(),
        "window_from": result.window_start + dt.timedelta(days=1),  # the window (start, as_of] in plain dates
        "sanctions": selectors.sanctions_in_force(agency, as_of),
        "can_repair": can(request.user, "ratings.apply_repair",
                          CreditEvent(agency=agency)) if request.user.is_authenticated else False,
        "rows": selectors.explained_lines(agency, result),
        "repairable": scoring.REPAIRABLE_CODES})


# ---- regulator workspace ------------------------------------------------------------------------


def _workspace(request):
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    require(request.user, "ratings.workspace")


def workspace(request):
    _workspace(request)
    grade = request.GET.get("grade", "") if request.GET.get("grade", "") in {"A", "B", "C", "D"} else ""
    region = request.GET.get("region", "")
    departments = selectors.covered_departments(request.user)
    department = request.GET.get("department", "")
    if department and not (department.isdigit() and departments.filter(pk=department).exists()):
        department = ""
    qs = selectors.agencies_in_scope(request.user, grade=grade, region=region, department=department)
    if fmt := _fmt(request):
        return export(fmt, name="agencies", title=_("机构信用"),
                      cols=columns(_("统一社会信用代码"), _("名称"), _("区划"), _("信用分"), _("等级"),
                                   _("强制等级"), _("状态"), (_("暂停至"), DATE)),
                      rows=([a.uscc, a.name, a.region.name, a.credit_score, a.credit_grade, a.credit_forced,
                             a.get_status_display(), a.suspended_until] for a in qs.iterator()))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    scope_all = selectors.agencies_in_scope(request.user)
    dist = selectors.grade_distribution(scope_all)
    on_time = selectors.on_time_by_department(request.user)
    prices = selectors.price_vs_ceiling(request.user)
    return render(request, "ratings/workspace.html", {
        "page": page, "grade": grade, "region": region, "department": department,
        "regions": Region.objects.all(), "departments": departments,
        "counts": selectors.queue_counts(request.user),
        "chart_grades": charts.bars([(g, n, str(n)) for g, n in dist], title=_("信用等级分布"), min_width=300),
        "chart_on_time": charts.bars([(r["department"], r["rate"], f"{r['rate'] * 100:.1f}% ({r['jobs']})")
                                      for r in on_time], title=_("按部门的按时完成率"), max_value=1, min_width=300),
        "chart_prices": charts.bars([(p["code"], p["ratio"] or 0, f"{p['ratio']:.0%}" if p["ratio"] is not None else "—",
                                      f"{money(p['awarded'])} / {money(p['ceiling'])}")
                                     for p in prices], title=_("中选价与最高限价之比"), ref_line=1, min_width=300),
        "on_time": on_time, "prices": prices})


def agency_ledger(request, uscc: str):
    _workspace(request)
    agency = get_object_or_404(Agency.objects.select_related("region"), uscc=uscc)
    require(request.user, "ratings.view_ledger", agency)
    rows = list(selectors.ledger(agency))
    if fmt := _fmt(request):
        return export(fmt, name=f"ledger-{agency.uscc}", title=_("信用记录"),
                      cols=columns((_("日期"), DATE), _("事项"), _("状态"), _("原因"), _("来源类型"), _("来源编号"),
                                   _("录入人")),
                      rows=([e.date, e.get_code_display(), e.get_state_display(), e.cause, e.cause_type, e.cause_id,
                             str(e.created_by) if e.created_by else _("系统")] for e in rows))
    as_of = _as_of(request)
    can_correct = can(request.user, "agencies.correct_credit_event", agency)
    return render(request, "ratings/agency_ledger.html", {
        "agency": agency, "rows": rows, "as_of": as_of, "result": selectors.credit_report(agency, as_of=as_of),
        "sanctions": Sanction.objects.filter(agency=agency),
        "correctable": {e.pk for e in rows if e.state in CORRECTABLE} if can_correct else set(),
        "history": audit.history(agency)})


def project_history(request, pk: int):
    from projects.models import Project

    _workspace(request)
    q = selectors.scope_q(request.user, region_field="region_id", department_field="service_type__department_id")
    qs = Project.objects.select_related("owner", "service_type")
    project = get_object_or_404(qs if q is None else qs.filter(q), pk=pk)
    entries = list(audit.history(project))
    related = []
    for rating in Rating.objects.filter(project=project):
        related += list(audit.history(rating))
    entries = sorted(entries + related, key=lambda e: e.pk)
    if fmt := _fmt(request):
        return export(fmt, name=f"history-{project.code}", title=_("项目记录"),
                      cols=columns((_("时间"), DATETIME), _("动作"), _("操作人"), _("对象"), _("数据"), _("原因"),
                                   _("哈希")),
                      rows=([e.created_at, action_label(e.action), e.actor_repr, f"{e.object_type}#{e.object_id}", str(e.data),
                             e.reason, e.hash] for e in entries))
    return render(request, "ratings/project_history.html", {"project": project, "entries": entries})


def sanctions(request):
    _workspace(request)
    qs = selectors.sanctions_list(request.user)
    if fmt := _fmt(request):
        return export(fmt, name="sanctions", title=_("惩戒措施"),
                      cols=columns(_("统一社会信用代码"), _("机构"), _("类型"), (_("起始日"), DATE), (_("截止日"), DATE),
                                   _("原因"), (_("解除时间"), DATETIME)),
                      rows=([s.agency.uscc, s.agency.name, s.get_kind_display(), s.starts_on, s.ends_on, s.cause,
                             s.lifted_at] for s in qs))
    return render(request, "ratings/sanctions.html", {"page": Paginator(qs, 50).get_page(request.GET.get("page")),
                                                      "today": workdays.today()})


@require_POST
def sanction_lift(request, pk: int):
    _workspace(request)
    sanction = get_object_or_404(Sanction, pk=pk)
    try:
        services.lift_sanction(sanction=sanction, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("惩戒已解除 / sanction lifted"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ratings:sanctions")


def _status(request, choices, default):
    value = request.GET.get("status", default)
    return value if value in dict(choices) or value == "" else default


def _queue(request, *, rows, model, default: str, template: str, export_name: str, title: str, cols, row):
    """A regulator queue page: filtered by status, exportable, the first 200 rows rendered."""
    _workspace(request)
    qs = rows(request.user, status=_status(request, model.Status.choices, default))
    if fmt := _fmt(request):
        return export(fmt, name=export_name, title=title, cols=cols, rows=(row(item) for item in qs))
    return render(request, template, {"rows": qs[:200], "today": workdays.today(),
                                      "status": request.GET.get("status", default),
                                      "statuses": model.Status.choices})


def _decide(request, *, model, pk: int, choices: tuple[str, str], refusal: str, decide, done: str, back: str):
    """A regulator decision: `choices` = (yes, no) values of the posted `decision`; `decide(obj, yes)`."""
    _workspace(request)
    obj = get_object_or_404(model, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision not in choices:
            raise ValidationError(refusal)
        decide(obj, decision == choices[0])
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(back)


def appeals(request):
    return _queue(request, rows=selectors.appeals_queue, model=Appeal, default="pending",
                  template="ratings/appeals.html", export_name="appeals", title=_("申诉"),
                  cols=columns(_("项目"), _("机构"), _("申诉事项"), _("申诉理由"), (_("申诉日"), DATE),
                               (_("处理期限"), DATE), _("状态"), _("处理意见")),
                  row=lambda a: [a.project.code, a.agency.name, a.subject_label, a.reason,
                                 a.filed_on, a.decide_by, a.get_status_display(), a.decision_note])


@require_POST
def appeal_decide(request, pk: int):
    return _decide(request, model=Appeal, pk=pk, choices=("uphold", "reject"),
                   refusal=_("请选择处理结果 / choose uphold or reject"), done=_("申诉已处理 / appeal decided"),
                   back="ratings:appeals",
                   decide=lambda appeal, yes: services.decide_appeal(appeal=appeal, by=request.user, upheld=yes,
                                                                     note=request.POST.get("note", "")))


def complaints(request):
    return _queue(request, rows=selectors.complaints_queue, model=Complaint, default="open",
                  template="ratings/complaints.html", export_name="complaints", title=_("投诉"),
                  cols=columns(_("投诉对象"), _("项目"), _("来源"), _("渠道"), _("内容"), (_("登记日"), DATE),
                               (_("答复期限"), DATE), _("承办部门"), _("状态"), _("答复")),
                  row=lambda c: [c.target_name, c.project.code if c.project else "", c.get_source_display(),
                                 c.get_channel_display(), c.text,
                                 c.filed_on, c.respond_by, c.regulator.name if c.regulator else "",
                                 c.get_status_display(), c.response])


@require_POST
def complaint_decide(request, pk: int):
    return _decide(request, model=Complaint, pk=pk, choices=("verified", "dismissed"),
                   refusal=_("请选择处理结果 / choose verified or dismissed"), done=_("投诉已处理 / complaint decided"),
                   back="ratings:complaints",
                   decide=lambda c, yes: services.decide_complaint(complaint=c, by=request.user, verified=yes,
                                                                   response=request.POST.get("response", "")))


def repairs(request):
    return _queue(request, rows=selectors.repairs_queue, model=RepairApplication, default="pending",
                  template="ratings/repairs.html", export_name="repairs", title=_("信用修复"),
                  cols=columns(_("机构"), _("事项"), (_("事项日期"), DATE), (_("申请日"), DATE), _("理由"), _("状态"),
                               _("审核意见")),
                  row=lambda r: [r.agency.name, r.event.get_code_display(), r.event.date, r.applied_on, r.reason,
                                 r.get_status_display(), r.decision_note])


@require_POST
def repair_decide(request, pk: int):
    return _decide(request, model=RepairApplication, pk=pk, choices=("approve", "reject"),
                   refusal=_("请选择审核结果 / choose approve or reject"), done=_("修复申请已处理 / repair decided"),
                   back="ratings:repairs",
                   decide=lambda r, yes: services.decide_repair(application=r, by=request.user, approved=yes,
                                                                note=request.POST.get("note", "")))


# ---- what-if ------------------------------------------------------------------------------------

WHATIF_INT_KEYS = ["credit_window_months", "credit_base", "credit_bonus_cap"]


def _proposed_policy(current: Policy, data) -> Policy:
    values = current.as_dict()
    for key in WHATIF_INT_KEYS:
        if data.get(key, "") != "":
            values[key] = _int(data[key], key)
    values["credit_deductions"] = {code: _int(data.get(f"d_{code}", pts), code)
                                   for code, pts in current["credit_deductions"].items()}
    values["credit_bonuses"] = {code: _int(data.get(f"b_{code}", pts), code)
                                for code, pts in current["credit_bonuses"].items()}
    values["credit_grades"] = {g: _int(data.get(f"g_{g}", v), g) for g, v in current["credit_grades"].items()}
    return Policy(version=current.version, values=validate(values), name="what-if")


def _int(value, key) -> int:
    try:
        n = int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{key} 须为整数 / {key} must be a whole number") from None
    if n < 0:
        raise ValidationError(f"{key} 不能为负 / {key} must not be negative")
    return n


def whatif(request):
    """Preview a policy change against real ledgers: before/after per agency in the regulator's scope."""
    _workspace(request)
    current = current_policy()
    as_of = _as_of(request)
    proposed, rows, changed = None, [], 0
    if request.GET.get("run"):
        try:
            proposed = _proposed_policy(current, request.GET)
        except ValidationError as exc:
            _errors(request, exc)
    if proposed is not None:
        agencies = list(selectors.agencies_in_scope(request.user)[:2000])
        ledgers = selectors.ledgers_of([a.pk for a in agencies])
        for a in agencies:
            before = scoring.score(ledgers[a.pk], as_of=as_of, policy=current)
            after = scoring.score(ledgers[a.pk], as_of=as_of, policy=proposed)
            moved = (before.score, before.grade) != (after.score, after.grade)
            changed += moved
            rows.append({"agency": a, "before": before, "after": after, "moved": moved})
        rows.sort(key=lambda r: (not r["moved"], r["after"].score))
        if fmt := _fmt(request):
            return export(fmt, name="whatif", title=_("政策试算"),
                          cols=columns(_("统一社会信用代码"), _("机构"), _("现分"), _("现等级"), _("新分"), _("新等级")),
                          rows=([r["agency"].uscc, r["agency"].name, r["before"].score, r["before"].grade,
                                 r["after"].score, r["after"].grade] for r in rows))
    shown = proposed or current
    return render(request, "ratings/whatif.html", {
        "current": current, "shown": shown, "as_of": as_of, "rows": rows[:500], "changed": changed,
        "deductions": [(c, current["credit_deductions"][c], shown["credit_deductions"][c])
                       for c in current["credit_deductions"]],
        "bonuses": [(c, current["credit_bonuses"][c], shown["credit_bonuses"][c]) for c in current["credit_bonuses"]],
        "grades": [(g, current["credit_grades"][g], shown["credit_grades"][g]) for g in ("A", "B", "C")],
        "ints": [(k, current[k], shown[k]) for k in WHATIF_INT_KEYS]})
