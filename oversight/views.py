"""The regulator's risk workspace: flags in scope by kind, severity and status, one flag with its explanation
and evidence, and the decisions (under review, dismiss, open a case). Views parse input and call
`oversight.services`; the permission rules are in `oversight.permissions`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace import audit
from marketplace.exports import DATE, columns, export
from marketplace.feedback import show_errors
from marketplace.permissions import can, require
from oversight import selectors, services
from oversight.forms import CaseForm, ReasonForm, ReviewForm
from oversight.labels import EXPLAIN
from oversight.models import RiskFlag
from oversight.states import FLAG

F = RiskFlag
STEPS = {"oversight.flag_raised": gettext_lazy("扫描发现"), "oversight.flag_under_review": gettext_lazy("标记核查中"),
         "oversight.flag_dismissed": gettext_lazy("排除"), "oversight.case_opened": gettext_lazy("立案")}
HEADERS = [gettext_lazy("风险类型"), gettext_lazy("对象类型"), gettext_lazy("对象"), gettext_lazy("风险等级"),
           gettext_lazy("处理状态"), (gettext_lazy("首次发现"), DATE), (gettext_lazy("最近发现"), DATE),
           gettext_lazy("证据"), gettext_lazy("处理意见")]


def _workspace(request) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    require(request.user, "oversight.workspace")


def _flag(request, pk: int) -> RiskFlag:
    _workspace(request)
    flag = get_object_or_404(RiskFlag.objects.select_related("project", "agency", "owner", "enforcement"), pk=pk)
    if not can(request.user, "oversight.view_flag", flag):
        raise PermissionDenied(_("该风险线索不在您的监管范围内 / this flag is outside your scope"))
    return flag


def _choice(request, key: str, choices) -> str:
    value = request.GET.get(key, "")
    return value if value in dict(choices) else ""


def flags(request):
    _workspace(request)
    chosen = {"kind": _choice(request, "kind", F.Kind.choices), "severity": _choice(request, "severity",
                                                                                   F.Severity.choices),
              "status": _choice(request, "status", F.Status.choices)}
    rows = selectors.flags_in_scope(request.user, **chosen)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return export(request.GET["format"], name="risk-flags", title=_("风险线索"), cols=columns(*HEADERS), rows=(
            [f.get_kind_display(), f.get_subject_type_display(), _subject(f), f.get_severity_display(),
             f.get_status_display(), f.first_seen_on, f.last_seen_on, "；".join(f.evidence), f.decision_reason]
            for f in rows))
    return render(request, "oversight/flags.html", {
        "flags": rows[:500], "count": len(rows), **chosen, "kinds": F.Kind.choices, "severities": F.Severity.choices,
        "statuses": F.Status.choices})


def _subject(flag: RiskFlag) -> str:
    if flag.subject_type == F.Subject.OWNER and flag.owner_id:
        return flag.owner.name
    if flag.subject_type == F.Subject.AGENCY and flag.agency_id:
        return f"{flag.agency.name}（{flag.subject}）"
    return flag.subject


def flag_detail(request, pk: int):
    flag = _flag(request, pk)
    allowed = FLAG.allowed(flag) if can(request.user, "oversight.decide_flag", flag) else frozenset()
    return render(request, "oversight/flag.html", {
        "flag": flag, "subject": _subject(flag), "explain": EXPLAIN[flag.kind], "allowed": allowed,
        "history": [(e, STEPS.get(e.action, "")) for e in audit.history(flag)], "reason_form": ReasonForm(), "review_form": ReviewForm(),
        "agencies": services.case_agencies(flag)})


@require_POST
def flag_review(request, pk: int):
    flag = _flag(request, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.mark_reviewing(flag=flag, by=request.user, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("已标记为核查中"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("oversight:flag", pk=flag.pk)


@require_POST
def flag_dismiss(request, pk: int):
    flag = _flag(request, pk)
    try:
        services.dismiss(flag=flag, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已排除该风险线索"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("oversight:flag", pk=flag.pk)


def flag_case(request, pk: int):
    flag = _flag(request, pk)
    require(request.user, "oversight.decide_flag", flag)
    agencies = services.case_agencies(flag)
    form = CaseForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("agency")
        agency = next(a for a in agencies if str(a.pk) == chosen)
        try:
            services.open_case(flag=flag, by=request.user, agency=agency, decision=data,
                               files=request.FILES.getlist("files"))
            messages.success(request, _("已立案并登记执法记录"))
            return redirect("oversight:flag", pk=flag.pk)
        except ValidationError as exc:
            show_errors(request, exc)
    return render(request, "oversight/case.html", {"flag": flag, "form": form, "subject": _subject(flag)})


def agency(request, pk: int):
    """An agency named in evidence: its ledger and history in the regulator's workspace."""
    _workspace(request)
    from agencies.models import Agency

    return redirect("ratings:agency_ledger", uscc=get_object_or_404(Agency, pk=pk).uscc)
