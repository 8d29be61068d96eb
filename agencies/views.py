"""Views: parse input, check permission, call a service, render. No rules here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies import forms, selectors, services
from agencies.models import Agency, AgencyDocument, AgencyService, Case, ChangeRequest, Practitioner, Qualification
from marketplace import pagination, permissions
from marketplace.feedback import error_messages
from marketplace.feedback import show_errors as _errors
from marketplace.models import Region, ServiceType

STEPS = [
    ("basic", gettext_lazy("基本信息")),
    ("documents", gettext_lazy("营业执照与承诺书")),
    ("contact", gettext_lazy("业务授权人")),
    ("qualifications", gettext_lazy("资质")),
    ("practitioners", gettext_lazy("从业人员")),
    ("services", gettext_lazy("服务事项")),
    ("submit", gettext_lazy("提交")),
]
STEP_NAMES = [s for s, _label in STEPS]
PAGE_SIZE = 20


# ---- public ---------------------------------------------------------------------------------------


def directory(request):
    service_type = request.GET.get("service_type") or None
    region = request.GET.get("region") or None
    q = (request.GET.get("q") or "").strip()[:100] or None
    if region and not Region.objects.filter(code=region).exists():
        region = None
    qs = selectors.directory(service_type=service_type, region=region, q=q)
    # The count is cached briefly per filter (marketplace.pagination): rows are always fresh.
    count_key = pagination.count_key("directory", service_type=service_type, region=region, q=q)
    page = pagination.CachedCountPaginator(qs, PAGE_SIZE, count_key=count_key).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "agencies/directory.html", {
        "page": page, "service_types": ServiceType.objects.filter(active=True).only("code", "name"),
        "regions": Region.objects.only("code", "name").order_by("code"),
        "service_type": service_type, "region": region, "q": q or "", "querystring": params.urlencode(),
    })


def storefront(request, uscc: str):
    agency = selectors.storefront(uscc.upper())
    if agency is None or not permissions.can(request.user, "agencies.view_storefront", agency):
        raise Http404
    today = timezone.localdate()
    return render(request, "agencies/storefront.html", {
        "agency": agency, "services": list(agency.services.all()),
        "qualifications": selectors.valid_qualifications(agency, today), "cases": list(agency.cases.all()),
        "regions_served": list(agency.regions_served.all()),
        "can_edit": permissions.can(request.user, "agencies.edit", agency),
    })


# ---- application ----------------------------------------------------------------------------------


def _application(request, pk: int, action: str = "agencies.view_application") -> Agency:
    agency = get_object_or_404(Agency.objects.select_related("region", "organisation"), pk=pk)
    if not permissions.can(request.user, action, agency):
        raise PermissionDenied(_("无权访问该申请 / not allowed to access this application"))
    return agency


@login_required
def apply(request):
    """Start an application (step 1), or list the user's applications."""
    mine = list(selectors.applications_of(request.user))
    form = forms.BasicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = services.start_application(
                by=request.user, uscc=data.pop("uscc"), name=data.pop("name"), region=data.pop("region"), **data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("草稿已保存 / draft saved"))
            return redirect("agencies:apply_step", pk=agency.pk, step="documents")
    return render(request, "agencies/apply_start.html", {"form": form, "mine": mine, "steps": STEPS})


@login_required
def apply_step(request, pk: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    agency = _application(request, pk)
    editable = permissions.can(request.user, "agencies.edit_application", agency)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("申请不可修改 / the application cannot be edited"))
        response = _apply_post(request, agency, step)
        if response is not None:
            return response
        if getattr(request, "_refused_form", None) is None:
            return redirect("agencies:apply_step", pk=agency.pk, step=step)
    ctx = {"agency": agency, "step": step, "steps": STEPS, "editable": editable,
           "documents": agency.documents.all(), "doc_form": forms.DocumentForm()}
    if step == "basic":
        initial = {f: getattr(agency, f) for f in ("name", "uscc", "entity_type", "address", "established_on",
                                                  "legal_rep_name", "legal_rep_id")}
        initial["region"] = agency.region_id
        ctx["form"] = forms.BasicForm(initial=initial, lock_uscc=True)
    elif step == "contact":
        ctx["form"] = forms.ContactForm(initial={f: getattr(agency, f) for f in ("contact_name", "contact_phone",
                                                                                 "contact_id")})
    elif step == "qualifications":
        ctx["form"], ctx["items"] = forms.QualificationForm(), agency.qualifications.all()
    elif step == "practitioners":
        ctx["form"], ctx["items"] = forms.PractitionerForm(), agency.practitioners.select_related("social_insurance")
    elif step == "services":
        ctx["form"] = forms.ServiceForm()
        ctx["items"] = agency.services.select_related("service_type")
    elif step == "submit":
        ctx["missing"] = selectors.missing_for_submission(agency)
    refused = getattr(request, "_refused_form", None)
    if refused is not None:  # shown again with what was typed, the message beside the field
        ctx["doc_form" if isinstance(refused, forms.DocumentForm) else "form"] = refused
    return render(request, "agencies/apply_step.html", ctx)


def _upload(request, agency, kind, field="file"):
    upload = request.FILES.get(field)
    if upload is None:
        return None
    return services.upload_document(by=request.user, agency=agency, kind=kind, file=upload)


def _valid(request, form, message=None):
    """The cleaned data, or a refusal; the bound form is kept on the request so the page is shown again
    with every value and each message beside its field (`_refused_form`)."""
    request._posted_form = form
    if not form.is_valid():
        raise ValidationError(error_messages(form) or [message], code="form")
    return dict(form.cleaned_data)


def _refused_form(request, exc: ValidationError):
    """The bound form of the refused post with the service's refusal added to it (None when there was none)."""
    form = getattr(request, "_posted_form", None)
    if form is None:
        return None
    if getattr(exc, "code", None) != "form":  # a refusal by the service: show it in the form, values kept
        try:
            form.add_error(None, exc)
        except (ValueError, AttributeError):
            form.add_error(None, exc.messages)
    return form


# ---- form handlers: each parses one submitted form and calls one service -------------------------


def _upload_document(request, agency: Agency) -> None:
    data = _valid(request, forms.DocumentForm(request.POST, request.FILES), _("请选择材料类型和文件 / choose a kind and a file"))
    services.upload_document(by=request.user, agency=agency, kind=data["kind"], file=data["file"])


def _save_basic(request, agency: Agency) -> None:
    data = _valid(request, forms.BasicForm(request.POST, lock_uscc=True, initial={"uscc": agency.uscc}))
    data.pop("uscc", None)
    services.update_application(by=request.user, agency=agency, **data)


def _save_contact(request, agency: Agency) -> None:
    services.update_application(by=request.user, agency=agency, **_valid(request, forms.ContactForm(request.POST)))


def _add_qualification(request, agency: Agency) -> None:
    data = _valid(request, forms.QualificationForm(request.POST, request.FILES))
    data.pop("scan")
    # Validate before storing the scan, so a refused qualification leaves no file behind.
    services.clean_qualification(data)
    scan = _upload(request, agency, AgencyDocument.Kind.QUALIFICATION, "scan")
    services.add_qualification(by=request.user, agency=agency, data=data, scan=scan)


def _remove_qualification(request, agency: Agency) -> None:
    q = get_object_or_404(Qualification, pk=request.POST.get("id"), agency=agency)
    services.remove_qualification(by=request.user, agency=agency, qualification=q)


def _add_practitioner(request, agency: Agency) -> None:
    data = _valid(request, forms.PractitionerForm(request.POST, request.FILES))
    data.pop("social_insurance")
    # Validate the person before storing the proof, so a refused practitioner leaves no file behind.
    services.clean_practitioner(data, agency=agency)
    proof = _upload(request, agency, AgencyDocument.Kind.PRACTITIONER_INSURANCE, "social_insurance")
    services.add_practitioner(by=request.user, agency=agency, data=data, social_insurance=proof)


def _remove_practitioner(request, agency: Agency) -> None:
    p = get_object_or_404(Practitioner, pk=request.POST.get("id"), agency=agency)
    services.remove_practitioner(by=request.user, agency=agency, practitioner=p)


def _save_service(request, agency: Agency) -> None:
    services.save_service(by=request.user, agency=agency, **_valid(request, forms.ServiceForm(request.POST)))


def _remove_service(request, agency: Agency) -> None:
    service = get_object_or_404(AgencyService, pk=request.POST.get("id"), agency=agency)
    services.remove_service(by=request.user, agency=agency, service=service)


def _submit(request, agency: Agency) -> None:
    services.submit_application(by=request.user, agency=agency)


def _save_storefront(request, agency: Agency) -> None:
    data = _valid(request, forms.StorefrontForm(request.POST))
    services.update_storefront(by=request.user, agency=agency, description=data["description"],
                               regions_served=data["regions_served"])


def _save_case(request, agency: Agency) -> None:
    services.save_case(by=request.user, agency=agency, **_valid(request, forms.CaseForm(request.POST)))


def _remove_case(request, agency: Agency) -> None:
    case = get_object_or_404(Case, pk=request.POST.get("id"), agency=agency)
    services.remove_case(by=request.user, agency=agency, case=case)


def _propose_legal_rep(request, agency: Agency) -> None:
    services.propose_change(by=request.user, agency=agency, kind=ChangeRequest.Kind.LEGAL_REP,
                            data=_valid(request, forms.LegalRepChangeForm(request.POST)))


def _propose_licence(request, agency: Agency) -> None:
    data = _valid(request, forms.LicenceChangeForm(request.POST, request.FILES),
                  _("请上传新的营业执照 / upload the new licence"))
    doc = _upload(request, agency, AgencyDocument.Kind.LICENCE)
    services.propose_change(by=request.user, agency=agency, kind=ChangeRequest.Kind.LICENCE,
                            data={"name": data["name"], "address": data["address"]}, document=doc)


@dataclass(frozen=True)
class Step:
    """An application form post: its handler, the success message and where to go next (default: stay)."""

    run: Callable
    done: str = ""
    then: Callable | None = None


# (step, op) → handler; op None matches any op not listed for the step. An upload works on every step.
APPLY_POSTS = {
    ("basic", None): Step(_save_basic, gettext_lazy("已保存 / saved"),
                          lambda a: redirect("agencies:apply_step", pk=a.pk, step="documents")),
    ("contact", None): Step(_save_contact, gettext_lazy("已保存 / saved")),
    ("qualifications", "delete"): Step(_remove_qualification),
    ("qualifications", None): Step(_add_qualification, gettext_lazy("资质已添加 / qualification added")),
    ("practitioners", "delete"): Step(_remove_practitioner),
    ("practitioners", None): Step(_add_practitioner, gettext_lazy("从业人员已添加 / practitioner added")),
    ("services", "delete"): Step(_remove_service),
    ("services", None): Step(_save_service, gettext_lazy("服务事项已保存 / service saved")),
    ("submit", None): Step(_submit, gettext_lazy("申请已提交，等待审核 / application submitted for review"),
                           lambda a: redirect("agencies:apply")),
}
UPLOAD = Step(_upload_document, gettext_lazy("材料已上传 / document uploaded"))

# op → handler for the admitted agency's management page (regulated data becomes a change request).
MANAGE_POSTS = {
    "storefront": _save_storefront,
    "service": _save_service,
    "service_delete": _remove_service,
    "case": _save_case,
    "case_delete": _remove_case,
    "legal_rep": _propose_legal_rep,
    "licence": _propose_licence,
    "qualification": _add_qualification,
    "qualification_delete": _remove_qualification,
    "practitioner": _add_practitioner,
    "practitioner_delete": _remove_practitioner,
}


def _apply_post(request, agency: Agency, step: str):
    op = request.POST.get("op", "save")
    post = UPLOAD if op == "upload" else APPLY_POSTS.get((step, op)) or APPLY_POSTS.get((step, None))
    if post is None:
        return None
    try:
        post.run(request, agency)
    except ValidationError as exc:
        request._refused_form = _refused_form(request, exc)
        if request._refused_form is None:
            _errors(request, exc)
        return None
    if post.done:
        messages.success(request, post.done)
    return post.then(agency) if post.then else None


# ---- documents ------------------------------------------------------------------------------------


@login_required
def document(request, pk: int):
    """Stream a private document to those allowed to see it (agency members, competent regulators, operators)."""
    doc = get_object_or_404(AgencyDocument.objects.select_related("agency"), pk=pk)
    if not permissions.can(request.user, "agencies.view_documents", doc.agency):
        raise Http404  # do not confirm the document exists
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type,
                            as_attachment=doc.content_type == "application/pdf",
                            filename=f"{doc.kind}-{doc.pk}.{doc.file.name.rsplit('.', 1)[-1]}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- review ---------------------------------------------------------------------------------------


@login_required
def review_queue(request):
    if not (permissions.is_operator(request.user) or permissions.is_regulator(request.user)):
        raise PermissionDenied
    today = timezone.localdate()
    return render(request, "agencies/review_queue.html", {
        "applications": selectors.review_queue(request.user), "changes": selectors.pending_changes(request.user),
        "today": today,
    })


@login_required
def review_detail(request, pk: int):
    agency = _application(request, pk, "agencies.review")
    if request.method == "POST":
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.approve_application(by=request.user, agency=agency, reason=form.cleaned_data["reason"])
                    messages.success(request, _("已批准入驻 / admitted"))
                else:
                    services.reject_application(by=request.user, agency=agency, reason=form.cleaned_data["reason"])
                    messages.success(request, _("已退回 / returned"))
                return redirect("agencies:review_queue")
            except ValidationError as exc:
                _errors(request, exc)
    agency = selectors.application_for_review(agency.pk)
    today = timezone.localdate()
    return render(request, "agencies/review_detail.html", {
        "agency": agency, "form": forms.DecisionForm(), "today": today,
        "overdue": selectors.is_overdue(agency.review_due_on, today),
    })


@login_required
@require_POST
def change_decide(request, pk: int):
    change = get_object_or_404(ChangeRequest.objects.select_related("agency"), pk=pk)
    if not permissions.can(request.user, "agencies.review", change.agency):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_change(by=request.user, change=change, reason=form.cleaned_data["reason"])
            else:
                services.reject_change(by=request.user, change=change, reason=form.cleaned_data["reason"])
            messages.success(request, _("已处理 / decided"))
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("agencies:review_queue")


# ---- storefront management (admitted agencies) ----------------------------------------------------


@login_required
def manage(request, pk: int):
    agency = get_object_or_404(Agency.objects.select_related("region", "organisation"), pk=pk)
    if not permissions.can(request.user, "agencies.edit", agency):
        raise PermissionDenied(_("无权编辑该机构 / not allowed to edit this agency"))
    if request.method == "POST":
        try:
            _manage_post(request, agency)
        except ValidationError as exc:
            form = _refused_form(request, exc)
            if form is not None:  # the page again, with what was typed and the message beside the field
                return render(request, "agencies/manage.html",
                              _manage_context(agency, op=request.POST.get("op", ""), bound=form))
            _errors(request, exc)
        return HttpResponseRedirect(reverse("agencies:manage", args=[agency.pk]))
    return render(request, "agencies/manage.html", _manage_context(agency))


# op → the form of the management page that posts it (each with its own element ids: the page has seven).
MANAGE_FORMS = {"storefront": forms.StorefrontForm, "service": forms.ServiceForm, "case": forms.CaseForm,
                "qualification": forms.QualificationForm, "practitioner": forms.PractitionerForm,
                "legal_rep": forms.LegalRepChangeForm, "licence": forms.LicenceChangeForm}


def _manage_context(agency: Agency, *, op: str = "", bound=None) -> dict:
    ctx = {}
    for key, form_class in MANAGE_FORMS.items():
        if key == op and bound is not None:
            form = bound
        elif key == "storefront":
            form = form_class(initial={"description": agency.description, "regions_served": list(
                agency.regions_served.values_list("code", flat=True))})
        else:
            form = form_class()
        form.auto_id = f"id_{key}_%s"
        ctx[f"{key}_form"] = form
    return {
        "agency": agency, **ctx,
        "services": agency.services.select_related("service_type"), "cases": agency.cases.all(),
        "qualifications": agency.qualifications.all(), "practitioners": agency.practitioners.all(),
        "changes": agency.change_requests.order_by("-submitted_at")[:20],
        "documents": agency.documents.all()[:50],
    }


def _manage_post(request, agency: Agency) -> None:
    handler = MANAGE_POSTS.get(request.POST.get("op", ""))
    if handler is None:
        raise ValidationError(_("未知操作 / unknown operation"))
    handler(request, agency)
    messages.success(request, _("已保存（受监管事项已提交审核）/ saved (regulated changes were sent for review)"))


# ---- import (operators) ---------------------------------------------------------------------------


@login_required
def import_upload(request):
    if not permissions.can(request.user, "agencies.import"):
        raise PermissionDenied
    from agencies.importer import ImportRefused, import_agencies

    report = None
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_agencies(upload, filename=upload.name, by=request.user,
                                     dry_run=form.cleaned_data["dry_run"], admit=form.cleaned_data["admit"],
                                     progress=False)
            messages.success(request, report.summary())
        except ImportRefused as exc:
            messages.error(request, str(exc))
    return render(request, "agencies/import.html", {"form": form, "report": report})


@login_required
def import_template(request):
    """The blank register to fill in (XLSX), for whoever may import."""
    if not permissions.can(request.user, "agencies.import"):
        raise PermissionDenied
    from agencies.import_template import template_xlsx
    from marketplace.exports import XLSX_TYPE

    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="agency-register-template.xlsx"'
    return response
