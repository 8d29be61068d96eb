from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from marketplace import views
from marketplace.api import api

urlpatterns = [
    path("admin/login/", views.admin_login_redirect),
    path("django-admin/login/", views.admin_login_redirect),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    # "/" is the CMS HomePage (cms data migration); the name stays for {% url 'home' %}.
    path("", wagtail_serve, {"path": ""}, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:role>/<int:org_id>/", views.dashboard_role, name="dashboard_role"),
    path("org/<int:org_id>/invite/", views.invite_member, name="invite_member"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("notifications/", views.notifications, name="notifications"),
    path("tools/verify_draw.py", views.verify_draw_tool, name="verify_draw_tool"),
    path("jobs/", include("projects.delivery.urls")),
    # Each app owns its URLs under its own prefix.
    path("agencies/", include("agencies.urls")),
    path("projects/", include("projects.urls")),
    path("credit/", include("ratings.urls")),
    path("search/", include("marketplace.search.urls")),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include(wagtail_urls)),
]

handler400 = "marketplace.views.bad_request"
handler403 = "marketplace.views.permission_denied"
handler404 = "marketplace.views.page_not_found"
handler500 = "marketplace.views.server_error"
