from django.urls import path

from marketplace.search import views

app_name = "search"

urlpatterns = [
    path("", views.page, name="page"),
    path("<str:kind>/<str:key>/", views.detail, name="detail"),
]
