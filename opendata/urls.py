from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("files/<str:name>", views.bulk_file, name="file"),
    path("extension/<str:name>", views.extension_file, name="extension"),
    path("keys/", views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", views.revoke, name="revoke"),
]
