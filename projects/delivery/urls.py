"""Mounted at /jobs/ (namespace "delivery")."""

from django.urls import path

from . import views

app_name = "delivery"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/materials/", views.materials_complete, name="materials_complete"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/supply/", views.supply, name="supply"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/extension/<int:ext_id>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("<int:pk>/deliverables/<int:deliverable_id>/accept/", views.accept, name="accept"),
    path("<int:pk>/deliverables/<int:deliverable_id>/return/", views.return_, name="return"),
    path("<int:pk>/files/<int:file_id>/", views.download, name="download"),
]

# The job's message thread (projects/talk_urls.py).
from projects.talk_urls import job_patterns  # noqa: E402

urlpatterns += job_patterns
