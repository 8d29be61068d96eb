"""The public draw record page: the record with agency names beside their codes, checked in the browser."""

from __future__ import annotations

import json

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from projects.views import _visible_project

# tools/verify_draw.py's reasons (the browser verifier returns the same English text) in the page's language.
REASONS = {
    "the record is not a JSON object": gettext_lazy("记录不是 JSON 对象"),
    "the record is not valid JSON": gettext_lazy("记录不是有效的 JSON"),
    "missing field ": gettext_lazy("缺少字段 "),
    " must be a string": gettext_lazy(" 必须是字符串"),
    "candidates, order and abandoned must be lists of USCCs": gettext_lazy("候选、顺序和放弃名单须为统一社会信用代码列表"),
    "commitment does not equal sha256(secret)": gettext_lazy("承诺值不等于 sha256(secret)"),
    "candidates are not sorted and unique": gettext_lazy("候选机构未排序或有重复"),
    "every excluded registrant needs a uscc and a reason": gettext_lazy("每个排除的报名都须有代码和原因"),
    "a candidate is also listed as excluded": gettext_lazy("有候选机构同时被列为排除"),
    "seed does not match the inputs": gettext_lazy("种子与输入不符"),
    "order does not match the seed": gettext_lazy("顺序与种子不符"),
    "abandoned agencies are not the head of the order": gettext_lazy("放弃中选的机构不是顺序最前的机构"),
    "selected is not the first agency of the order that did not abandon": gettext_lazy("中选机构不是顺序中第一个未放弃的机构"),
    "digest does not match the record (a field was altered)": gettext_lazy("摘要与记录不符（有字段被改动）"),
}


def draw_record(request, code: str):
    project = _visible_project(request, code)
    record = project.draw_record
    if not record:
        raise Http404
    abandoned = set(record.get("abandoned") or [])
    usccs = {*record.get("order", []), *[e.get("uscc") for e in record.get("excluded", [])]}
    names = dict(Agency.objects.filter(uscc__in=usccs).values_list("uscc", "name"))
    order = [{"rank": i + 1, "uscc": u, "name": names.get(u, ""), "selected": u == record.get("selected"),
              "abandoned": u in abandoned} for i, u in enumerate(record.get("order", []))]
    excluded = [{**e, "name": names.get(e.get("uscc"), "")} for e in record.get("excluded", [])]
    return render(request, "projects/draw_record.html", {
        "project": project, "record": record, "order": order, "excluded": excluded,
        "record_json": json.dumps(record, ensure_ascii=False, indent=1),
        "reasons": {k: str(v) for k, v in REASONS.items()},
    })
