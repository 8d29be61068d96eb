"""URLs of clarifications, posting attachments (under /projects/, namespace "projects") and the job's
message thread (under /jobs/, namespace "delivery"); appended to those apps' urlpatterns."""

from django.urls import path

from projects import talk_views

project_patterns = [
    path("<str:code>/clarifications/ask/", talk_views.clarification_ask, name="clarification_ask"),
    path("<str:code>/clarifications/<int:number>/answer/", talk_views.clarification_answer,
         name="clarification_answer"),
    path("<str:code>/attachments/add/", talk_views.attachment_add, name="attachment_add"),
    path("<str:code>/attachments/<int:pk>/", talk_views.attachment_download, name="attachment"),
    path("<str:code>/attachments/<int:pk>/remove/", talk_views.attachment_remove, name="attachment_remove"),
]

job_patterns = [
    path("<int:pk>/messages/", talk_views.thread, name="thread"),
    path("<int:pk>/messages/files/<int:file_id>/", talk_views.thread_file, name="thread_file"),
]
