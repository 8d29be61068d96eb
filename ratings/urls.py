from django.urls import path

from ratings import complaint_views, correction_views, enforcement_views, review_views, views

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
    path("regulator/ledger/<int:event_id>/correct/", correction_views.correct, name="ledger_correct"),
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
    # Report review (报告复审)
    path("reviews/", review_views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/appeal/", review_views.review_appeal, name="review_appeal"),
    path("regulator/reviews/", review_views.review_queue, name="review_queue"),
    path("regulator/reviews/<int:pk>/", review_views.review_form, name="review_form"),
    # The public complaint channel
    path("complaints/new/", complaint_views.complaint_public, name="complaint_public"),
    path("complaints/filed/", complaint_views.complaint_filed, name="complaint_filed"),
    path("complaints/track/", complaint_views.complaint_track, name="complaint_track"),
    path("regulator/complaints/record/", complaint_views.complaint_record, name="complaint_record"),
    path("regulator/complaints/<int:pk>/files/<int:file_id>/", complaint_views.complaint_file,
         name="complaint_file"),
    # Enforcement records (行政处罚、违规、虚假材料、严重失信、表彰) and sanctions imposed by hand
    path("regulator/enforcement/", enforcement_views.decisions, name="enforcement"),
    path("regulator/enforcement/new/", enforcement_views.decision_new, name="enforcement_new"),
    path("regulator/enforcement/award/", enforcement_views.award_new, name="award_new"),
    path("regulator/enforcement/<int:pk>/", enforcement_views.decision_detail, name="enforcement_detail"),
    path("regulator/enforcement/<int:pk>/confirm/", enforcement_views.decision_confirm, name="enforcement_confirm"),
    path("regulator/enforcement/<int:pk>/revoke/", enforcement_views.decision_revoke, name="enforcement_revoke"),
    path("regulator/enforcement/files/<int:pk>/", enforcement_views.evidence, name="enforcement_file"),
    path("regulator/sanctions/new/", enforcement_views.sanction_new, name="sanction_new"),
]
