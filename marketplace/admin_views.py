"""Operator screens in the Wagtail admin: the policy editor (edit → review the changes → adopt)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from marketplace import display, permissions
from marketplace.feedback import show_errors
from marketplace.models import PolicyVersion
from marketplace.policy import adopt_policy, current_policy
from marketplace.policy_form import PolicyForm, diff


def require_operator(request) -> None:
    if not permissions.can(request.user, "marketplace.operate"):
        raise PermissionDenied


def policy_edit(request):
    """Show the policy in force; a change is reviewed as a diff, then adopted as a new version."""
    require_operator(request)
    policy = current_policy()
    current = policy.as_dict()
    form = PolicyForm(request.POST or None, current=current)
    changes = []
    if request.method == "POST" and form.is_valid():
        changes = diff(current, form.policy)
        if not changes:
            form.add_error(None, gettext("没有修改任何参数。"))
        elif request.POST.get("step") == "confirm":
            try:
                new = adopt_policy(by=request.user, data=form.policy, note=form.cleaned_data["note"])
            except ValidationError as exc:
                show_errors(request, exc)
            else:
                messages.success(request, gettext("已启用政策参数第 %(version)s 版。") % {"version": new.version})
                return redirect("marketplace_policy")
    reviewing = bool(changes) and request.POST.get("step") != "edit"
    return TemplateResponse(request, "marketplace/admin/policy.html", {
        "policy": policy, "form": form, "changes": changes if reviewing else [], "reviewing": reviewing,
        "non_field_errors": [display.one_language(e) for e in form.non_field_errors()],
        "versions": PolicyVersion.objects.select_related("created_by")[:20],
    })
