from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path("ratings/", views.my_ratings, name="my_ratings"),
    path("ratings/<int:pk>/", views.rate, name="rate"),
    path("ratings/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("agencies/<str:uscc>/", views.credit, name="credit"),
    path("agencies/<str:uscc>/complain/", views.complaint_new, name="complain"),
    path("ledger/<int:event_id>/repair/", views.repair_new, name="repair_new"),
    path("regulator/", views.workspace, name="workspace"),
    path("regulator/agencies/<str:uscc>/", views.agency_ledger, name="agency_ledger"),
    path("regulator/projects/<int:pk>/history/", views.project_history, name="project_history"),
    path("regulator/sanctions/", views.sanctions, name="sanctions"),
    path("regulator/sanctions/<int:pk>/lift/", views.sanction_lift, name="sanction_lift"),
    path("regulator/appeals/", views.appeals, name="appeals"),
    path("regulator/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("regulator/complaints/", views.complaints, name="complaints"),
    path("regulator/complaints/<int:pk>/decide/", views.complaint_decide, name="complaint_decide"),
    path("regulator/repairs/", views.repairs, name="repairs"),
    path("regulator/repairs/<int:pk>/decide/", views.repair_decide, name="repair_decide"),
    path("regulator/what-if/", views.whatif, name="whatif"),
]
