"""The owner's posting flow: draft form (method groups, requirement rows), agency picker, preview, publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies.identifiers import normalise
from agencies.models import Agency
from marketplace.feedback import show_errors as _errors
from projects import services
from projects.posting_form import PostingForm, find_agencies, practitioner_kinds
from projects.states import PROJECT
from projects.views import _owned_project, _owner_org


def _prefill(request) -> dict | None:
    """Initial values from the link: "邀请参与项目" on a storefront sends ?invite=<code>, optionally with
    ?service_type= and ?region=; the agency's own offer and region fill what the link leaves out."""
    initial = {k: request.GET[k] for k in ("service_type", "region") if request.GET.get(k)}
    code = normalise(request.GET.get("invite"))
    if code:
        initial.update(method="invitation", invited=code)
        agency = Agency.objects.filter(uscc=code).first()
        if agency is not None:
            offered = list(agency.services.values_list("service_type_id", flat=True))
            if initial.get("service_type") not in offered and offered:
                initial["service_type"] = offered[0]
            initial.setdefault("region", agency.region_id)
    return initial or None


def _render(request, posting: PostingForm, **extra):
    return render(request, "projects/form.html", {
        "form": posting.form, "rows": posting.rows, "groups": posting.form.groups(),
        "practitioner_kinds": practitioner_kinds(), **extra})


@login_required
def project_create(request):
    owner = _owner_org(request)
    posting = PostingForm(request.POST or None, initial=None if request.method == "POST" else _prefill(request))
    if request.method == "POST" and posting.is_valid():
        try:
            project = services.create_draft(by=request.user, owner=owner, **posting.service_kwargs())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("草稿已保存，请核对后发布 / draft saved; check it before publishing"))
            return redirect("projects:preview", code=project.code)
    return _render(request, posting, owner=owner)


@login_required
def project_edit(request, code: str):
    project = _owned_project(request, code)
    if not PROJECT.can(project, "publish"):
        messages.error(request, _("已发布的项目请发布变更公告 / publish a revision instead"))
        return redirect("projects:revise", code=code)
    posting = PostingForm(request.POST or None, instance=project)
    if request.method == "POST" and posting.is_valid():
        try:
            services.update_draft(by=request.user, project=project, **posting.service_kwargs())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("草稿已保存，请核对后发布 / draft saved; check it before publishing"))
            return redirect("projects:preview", code=code)
    return _render(request, posting, project=project, owner=project.owner)


@login_required
def project_preview(request, code: str):
    """Exactly what publication will make public, with the one button that publishes it."""
    project = _owned_project(request, code)
    if not PROJECT.can(project, "publish"):
        return redirect("projects:detail", code=code)
    return render(request, "projects/preview.html", {
        "project": project, "invited": list(project.invited_agencies.all()) if project.method == "invitation" else [],
    })


@login_required
def agency_lookup(request):
    """The posting form's agency picker: agencies by name or code, for owners only (JSON)."""
    _owner_org(request)
    found = find_agencies(request.GET.get("q", ""))
    return JsonResponse({"results": [{"uscc": a.uscc, "name": a.name} for a in found]})
