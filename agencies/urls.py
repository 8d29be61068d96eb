from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("s/<str:uscc>/", views.storefront, name="storefront"),
    path("apply/", views.apply, name="apply"),
    path("apply/<int:pk>/<str:step>/", views.apply_step, name="apply_step"),
    path("manage/<int:pk>/", views.manage, name="manage"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
