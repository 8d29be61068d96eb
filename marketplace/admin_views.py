import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from marketplace import permissions
from marketplace.feedback import show_errors
from marketplace.models import PolicyVersion
from marketplace.policy import DEFAULTS, adopt_policy, current_policy


def _parse(post) -> dict:
    data = {}
    for key, default in DEFAULTS.items():
        raw = post.get(key, "").strip()
        if isinstance(default, dict | list):
            try:
                data[key] = json.loads(raw)
            except json.JSONDecodeError:
                raise ValidationError(f"参数 {key} 不是有效的 JSON / {key} is not valid JSON") from None
        elif isinstance(default, int) and not isinstance(default, bool):
            try:
                data[key] = int(raw)
            except ValueError:
                raise ValidationError(f"参数 {key} 必须是整数 / {key} must be a whole number") from None
        else:
            data[key] = raw
    return data


def policy_edit(request):
    """Show the policy in force with its history; adopting a change creates a new version."""
    if not permissions.can(request.user, "marketplace.operate"):
        raise PermissionDenied
    policy = current_policy()
    values = policy.as_dict()
    if request.method == "POST":
        try:
            data = _parse(request.POST)
            new = adopt_policy(by=request.user, data=data, note=request.POST.get("note", ""))
            messages.success(request, f"已启用政策参数 v{new.version} / policy v{new.version} adopted")
            return redirect("marketplace_policy")
        except ValidationError as exc:
            show_errors(request, exc)
            values = {k: request.POST.get(k, v) for k, v in values.items()}
    rows = [{"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v,
             "json": isinstance(DEFAULTS[k], dict | list)} for k, v in values.items()]
    return TemplateResponse(request, "marketplace/admin/policy.html", {
        "policy": policy, "rows": rows, "versions": PolicyVersion.objects.select_related("created_by")[:20],
    })
