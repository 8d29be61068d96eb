"""The regulator's enforcement screens: records of penalties, violations, fraud, serious dishonesty and awards
(pending confirmation first), the forms to record them, 双人复核, revocation on review, evidence files, and
sanctions imposed by hand. Each view parses input and calls a service in `ratings.enforcement` /
`ratings.sanctions`; the permission rules live in `ratings.permissions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.identifiers import normalise
from agencies.models import Agency
from marketplace import audit
from marketplace.exports import DATE, columns, export
from marketplace.feedback import show_errors
from marketplace.models import Department
from marketplace.permissions import can, is_regulator, organisations, require
from ratings import enforcement, enforcement_selectors, sanctions, selectors
from ratings.enforcement_forms import DecisionForm, SanctionForm
from ratings.models import EnforcementDecision, EnforcementFile

D = EnforcementDecision
STEPS = {"ratings.enforcement_recorded": gettext_lazy("录入"), "ratings.enforcement_confirmed": gettext_lazy("复核确认"),
         "ratings.enforcement_rejected": gettext_lazy("不予确认"), "ratings.enforcement_revoked": gettext_lazy("复议撤销")}


def _workspace(request) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    require(request.user, "ratings.workspace")


def _regulator(request) -> None:
    """Recording and sanctioning are a regulator's acts; operators run the platform but do not decide cases."""
    _workspace(request)
    if not is_regulator(request.user):
        raise PermissionDenied(_("仅监管人员可以办理 / only a regulator can do this"))


def _choice(request, key: str, choices) -> str:
    value = request.GET.get(key, "")
    return value if value in dict(choices) else ""


def decisions(request):
    _workspace(request)
    status, code = _choice(request, "status", D.Status.choices), _choice(request, "code", D.Code.choices)
    qs = enforcement_selectors.decisions_in_scope(request.user, status=status, code=code)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return export(request.GET["format"], name="enforcement", title=_("行政处理记录"),
                      cols=columns(_("统一社会信用代码"), _("机构"), _("事项"), _("文号"), (_("决定日期"), DATE),
                                   _("作出决定的机关"), _("状态"), _("录入人"), _("复核人"), _("撤销理由")),
                      rows=([d.agency.uscc, d.agency.name, d.get_code_display(), d.document_number, d.decided_on,
                             d.deciding_body, d.get_status_display(), str(d.recorded_by),
                             str(d.confirmed_by or ""), d.revoke_reason] for d in qs))
    return render(request, "ratings/enforcement/list.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "status": status, "code": code,
        "statuses": D.Status.choices, "codes": D.Code.choices,
        "pending": enforcement_selectors.decisions_in_scope(request.user, status=D.Status.PENDING).count()})


def _departments(user):
    """The departments a user may name on a record: those their regulator scopes cover."""
    if not organisations(user, "regulator"):
        return Department.objects.none()
    return selectors.covered_departments(user)


def _agency(uscc: str) -> Agency:
    agency = Agency.objects.filter(uscc=normalise(uscc)).first()
    if agency is None:
        raise ValidationError(_("未找到该统一社会信用代码的机构 / no agency with this USCC"))
    return agency


def decision_new(request, award: bool = False):
    _regulator(request)
    bodies = organisations(request.user, "regulator")
    form = DecisionForm(request.POST or None, award=award, departments=_departments(request.user), bodies=bodies,
                        initial={"uscc": request.GET.get("uscc", ""), "organisation": bodies[0].pk})
    if request.method == "POST":
        if not form.is_valid():
            show_errors(request, form)
        else:
            data = form.cleaned_data
            try:
                decision = enforcement.record_decision(
                    agency=_agency(data["uscc"]), by=request.user, code=data["code"],
                    document_number=data["document_number"], decided_on=data["decided_on"],
                    deciding_body=data["deciding_body"], legal_basis=data["legal_basis"], summary=data["summary"],
                    safety_related=data.get("safety_related", False), department=data["department"],
                    organisation=int(data["organisation"]), files=request.FILES.getlist("files"))
            except ValidationError as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("已录入，待同一单位另一名监管人员复核 / recorded: a second regulator of the "
                                            "same body must confirm it") if decision.status == D.Status.PENDING
                                 else _("已录入并生效 / recorded and in effect"))
                return redirect("ratings:enforcement_detail", pk=decision.pk)
    return render(request, "ratings/enforcement/form.html", {"form": form, "award": award,
                                                              "files_max": enforcement.FILES_MAX})


def award_new(request):
    return decision_new(request, award=True)


def decision_detail(request, pk: int):
    _workspace(request)
    decision = get_object_or_404(D.objects.select_related("agency", "regulator", "department", "event", "recorded_by",
                                                          "confirmed_by", "revoked_by"), pk=pk)
    require(request.user, "ratings.view_enforcement", decision)
    user = request.user
    return render(request, "ratings/enforcement/detail.html", {
        "d": decision, "files": list(decision.files.all()),
        "can_confirm": decision.status == D.Status.PENDING and can(user, "ratings.confirm_enforcement", decision),
        "own_pending": decision.status == D.Status.PENDING and decision.recorded_by_id == user.pk,
        "can_revoke": decision.status == D.Status.EFFECTIVE and can(user, "ratings.revoke_enforcement", decision),
        "sanctions": enforcement_selectors.decision_sanctions(decision),
        "history": [(e, STEPS.get(e.action, e.action)) for e in audit.history(decision)]})


def _decision_for_action(request, pk: int) -> EnforcementDecision:
    _regulator(request)
    decision = get_object_or_404(D.objects.select_related("agency"), pk=pk)
    require(request.user, "ratings.view_enforcement", decision)
    return decision


@require_POST
def decision_confirm(request, pk: int):
    decision = _decision_for_action(request, pk)
    choice = request.POST.get("decision")
    try:
        if choice == "confirm":
            enforcement.confirm_decision(decision=decision, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("复核确认，记录已生效 / confirmed: the record is in effect"))
        elif choice == "reject":
            enforcement.reject_decision(decision=decision, by=request.user, reason=request.POST.get("note", ""))
            messages.success(request, _("复核未通过，记录不生效 / rejected: the record does not take effect"))
        else:
            raise ValidationError(_("请选择确认或不予确认 / choose confirm or reject"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("ratings:enforcement_detail", pk=decision.pk)


@require_POST
def decision_revoke(request, pk: int):
    decision = _decision_for_action(request, pk)
    try:
        enforcement.revoke_decision(decision=decision, by=request.user, reason=request.POST.get("reason", ""),
                                    review_document=request.POST.get("review_document", ""))
        messages.success(request, _("记录已撤销，相应信用记录已作废 / revoked: its ledger line is voided"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("ratings:enforcement_detail", pk=decision.pk)


@login_required
def evidence(request, pk: int):
    """Stream an evidence file to a regulator covering the record (or an operator); others get 404."""
    row = get_object_or_404(EnforcementFile.objects.select_related("decision__agency"), pk=pk)
    if not can(request.user, "ratings.view_enforcement", row.decision):
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type,
                            as_attachment=row.content_type == "application/pdf",
                            filename=f"evidence-{row.pk}.{row.file.name.rsplit('.', 1)[-1]}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def sanction_new(request):
    _regulator(request)
    form = SanctionForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    if request.method == "POST":
        if not form.is_valid():
            show_errors(request, form)
        else:
            data = form.cleaned_data
            try:
                sanctions.impose_by_hand(agency=_agency(data["uscc"]), by=request.user, kind=data["kind"],
                                         reason=data["reason"], ends_on=data["ends_on"])
            except ValidationError as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("惩戒已施加并公示 / sanction imposed and published"))
                return redirect("ratings:sanctions")
    return render(request, "ratings/enforcement/sanction_form.html", {"form": form})
