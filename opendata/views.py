"""The open-data page, the bulk files and the extension's files, and API key management."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from marketplace import apikeys
from marketplace.feedback import error_text
from marketplace.models import ApiKey
from opendata import bulk, standard

CONTENT_TYPES = {bulk.RELEASES: "application/gzip", bulk.RECORDS: "application/gzip",
                 bulk.CSV_FILE: "text/csv; charset=utf-8"}


@require_GET
def index(request):
    manifest = bulk.manifest()
    files = []
    for name in bulk.FILES:
        info = (manifest or {}).get("files", {}).get(name)
        if info:
            files.append({"name": name, **info})
    return render(request, "opendata/index.html", {
        "manifest": manifest, "files": files, "columns": [name for name, _path in bulk.CSV_COLUMNS],
        "extension": standard.extension_metadata(), "license_url": settings.OCDS_LICENSE_URL,
        "rate_anonymous": settings.API_RATE_ANONYMOUS, "rate_keyed": settings.API_RATE_KEYED,
        "ocid_prefix": f"ocds-{settings.OCDS_PREFIX}-"})


@require_GET
def bulk_file(request, name: str):
    if name not in bulk.FILES:
        raise Http404
    path = bulk.directory() / name
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[name])
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def extension_file(request, name: str):
    path = standard.extension_file(name)
    if path is None:
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "text/markdown; charset=utf-8"
    return FileResponse(path.open("rb"), content_type=content_type)


@login_required
def keys(request):
    """The user's keys; POST creates one and shows it once."""
    created, error = None, None
    if request.method == "POST":
        try:
            _row, created = apikeys.create_key(by=request.user, name=request.POST.get("name", ""), now=timezone.now())
        except ValidationError as exc:
            error = error_text(exc)
    rows = ApiKey.objects.filter(user=request.user)
    return render(request, "opendata/keys.html", {"keys": rows, "created": created, "error": error},
                  status=400 if error else 200)


@login_required
@require_POST
def revoke(request, pk: int):
    key = get_object_or_404(ApiKey, pk=pk, user=request.user)  # another user's key: 404, never revealed
    with contextlib.suppress(ValidationError, PermissionDenied):  # already revoked: the list shows it so
        apikeys.revoke_key(by=request.user, key=key, now=timezone.now())
    return redirect("opendata:keys")
