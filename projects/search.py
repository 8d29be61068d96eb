"""What the projects app contributes to search: postings once published, and the actions that re-index them.

Registered from ProjectsConfig.ready(). Drafts are never searchable; every later status is, so each
action that moves a posting's status (or edits it) re-indexes it.
"""

from __future__ import annotations

from django.urls import reverse

from marketplace import search
from marketplace.search import analysis
from marketplace.search.documents import price_bucket, region_chain, region_tokens

HIDDEN_STATUSES = ("draft",)

# Declared actions that change a posting's document, and where its id is: the posting itself, or the
# `project` key (primary key) of entries about one of its rows (a registration, a service job).
REINDEX_ON = {
    "projects.published": search.OBJECT,
    "projects.revised": search.OBJECT,
    "projects.cancelled": search.OBJECT,
    "projects.registration_closed": search.OBJECT,
    "projects.round_failed": search.OBJECT,
    "projects.low_quote_flagged": "project",
    "projects.provider_selected": search.OBJECT,
    "projects.result_published": search.OBJECT,
    "projects.result_withdrawn": search.OBJECT,
    "projects.publicity_ended": search.OBJECT,
    "projects.contract_uploaded": search.OBJECT,
    "projects.service_started": "project",
    "projects.deliverable_accepted": "project",
}


def visible_projects():
    from projects.models import Project

    return (Project.objects.exclude(status__in=HIDDEN_STATUSES)
            .select_related("region", "service_type", "owner")
            .order_by("id"))


def project_document(project) -> dict:
    """The searchable content of one published posting."""
    chain = region_chain(project.region_id)
    primary: list[str] = analysis.name_tokens(project.title)
    primary.append(analysis.normalise_code(project.code))
    primary.extend(analysis.segment(project.code))
    if project.investment_code:  # 投资项目代码, searchable with or without its hyphens
        primary.append(analysis.normalise_code(project.investment_code))
        primary.append(project.investment_code)
    primary.extend(analysis.key_tokens(project.service_type.name))
    primary.extend(region_tokens(chain))
    body = analysis.segment(project.scope) + analysis.segment(project.owner.name)
    return {
        "kind": search.PROJECT,
        "object_id": project.pk,
        "key": project.code,
        "title": project.title,
        "summary": f"{project.owner.name} · {project.service_type.name}"[:300],
        "region_code": project.region_id,
        "region_name": chain[0][1] if chain else "",
        "region_path": [c for c, _n in chain],
        "grade": "",
        "status": project.status,
        "method": project.method,
        "service_codes": [project.service_type_id],
        "price_buckets": [price_bucket(project.ceiling)],
        "price_min": project.floor,
        "price_max": project.ceiling,
        "recency": project.published_at or project.created_at,
        "tokens_primary": analysis.join(primary),
        "tokens_body": analysis.join(body),
        "name": project.title,
        "text": f"{project.scope} {project.owner.name}",
    }


def choice_labels() -> dict[str, dict[str, str]]:
    from projects.models import Project

    return {"method": {m.value: str(m.label) for m in Project.Method},
            "status": {s.value: str(s.label) for s in Project.Status}}


def detail_url(code: str) -> str:
    return reverse("projects:detail", kwargs={"code": code})


def register() -> None:
    from projects.models import Project

    search.register(search.PROJECT, model=Project, queryset=visible_projects, build=project_document,
                    hidden=HIDDEN_STATUSES, labels=choice_labels, url=detail_url, reindex_on=REINDEX_ON)
