from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.flags, name="flags"),
    path("<int:pk>/", views.flag_detail, name="flag"),
    path("<int:pk>/review/", views.flag_review, name="flag_review"),
    path("<int:pk>/dismiss/", views.flag_dismiss, name="flag_dismiss"),
    path("<int:pk>/case/", views.flag_case, name="flag_case"),
    path("agencies/<int:pk>/", views.agency, name="agency"),
]
