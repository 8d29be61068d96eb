from django.urls import path

from projects import draw_views, posting_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", posting_views.project_create, name="create"),
    path("lookup/agencies/", posting_views.agency_lookup, name="agency_lookup"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/draw/", draw_views.draw_record, name="draw_record"),
    path("<str:code>/edit/", posting_views.project_edit, name="edit"),
    path("<str:code>/preview/", posting_views.project_preview, name="preview"),
    path("<str:code>/publish/", views.project_publish, name="publish"),
    path("<str:code>/revise/", views.project_revise, name="revise"),
    path("<str:code>/cancel/", views.project_cancel, name="cancel"),
    path("<str:code>/select/", views.project_select, name="select"),
    path("<str:code>/direct/", views.project_direct, name="direct"),
    path("<str:code>/republish/", views.project_republish, name="republish"),
    path("<str:code>/scores/", views.project_scores, name="scores"),
    path("<str:code>/justification/<int:reg_id>/decide/", views.decide_justification, name="decide_justification"),
    path("<str:code>/publicity/end/", views.project_end_publicity, name="end_publicity"),
    path("<str:code>/contract/", views.project_contract, name="contract"),
    path("<str:code>/contract/file/", views.contract_file, name="contract_file"),
    path("<str:code>/register/", views.project_register, name="register"),
    path("<str:code>/confirm/", views.selection_confirm, name="confirm"),
    path("<str:code>/refuse/", views.selection_refuse, name="refuse"),
    path("<str:code>/justify/", views.justify, name="justify"),
    path("<str:code>/objection/", views.object_result, name="object"),
]

# Clarifications and posting attachments (projects/talk_urls.py).
from projects.talk_urls import project_patterns  # noqa: E402

urlpatterns += project_patterns
