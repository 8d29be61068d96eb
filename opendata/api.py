"""The OCDS endpoints: the release feed and one record package per contracting process.

Both take an optional `X-API-Key` (see `marketplace.apikeys`): anonymous and keyed requests have separate rate
limits (429 with `Retry-After` over the limit), and both answer `ETag` / `If-None-Match` (304)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from marketplace.apikeys import KEY_OR_ANONYMOUS, throttles
from opendata import packages
from opendata import releases as source

router = Router(tags=["ocds"], auth=KEY_OR_ANONYMOUS, throttle=throttles())
MEDIA_TYPE = "application/json"


class Error(Schema):
    detail: str


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _not_modified(request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
    return etag in tags or "*" in tags


def json_response(request, payload: dict, *, headers: dict | None = None) -> HttpResponse:
    """The payload as JSON with its ETag, or 304 when the client already holds these bytes."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = _etag(body)
    response = HttpResponse(status=304) if _not_modified(request, etag) else HttpResponse(body, content_type=MEDIA_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status: int, detail: str) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": detail}, ensure_ascii=False), status=status, content_type=MEDIA_TYPE)


@router.get("/releases", response={200: dict, 304: None, 400: Error, 401: Error, 429: Error},
            summary="OCDS release package (newest last, cursor-paginated)")
def releases(request, since: dt.datetime | None = None, cursor: str = ""):
    """Every release published on or after `since`, oldest first, `OCDS_PAGE_SIZE` per page.

    The next page's URL is in `links.next` and in the `Link` header (`rel="next"`); the cursor is opaque."""
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since)
    try:
        items, nxt = packages.release_page(since=since, cursor=cursor or None, size=settings.OCDS_PAGE_SIZE)
    except ValidationError as exc:
        return _error(400, exc.messages[0])
    package = packages.release_package(items, uri=request.build_absolute_uri())
    headers = {}
    if nxt:
        query = request.GET.copy()
        query["cursor"] = nxt
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        package["links"] = {"next": next_url}
        headers["Link"] = f'<{next_url}>; rel="next"'
    return json_response(request, package, headers=headers)


@router.get("/records/{ocid}", response={200: dict, 304: None, 401: Error, 404: Error, 429: Error},
            summary="OCDS record package of one contracting process")
def record(request, ocid: str):
    """The record (every release and the compiled release merged by ocdsmerge) of one public posting."""
    project = source.project_for_ocid(ocid)
    records = source.records_for([project]) if project is not None else []
    if not records:
        return _error(404, "没有这个开放合同编号 / no such ocid")
    return json_response(request, packages.record_package(records, uri=request.build_absolute_uri()))
