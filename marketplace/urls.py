from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from marketplace import inbox_views, views
from marketplace.accounts import views as account_views
from marketplace.api import api
from marketplace.feeds import SubscriptionAtomFeed, SubscriptionFeed
from marketplace.language import switch_language

urlpatterns = [
    # One login door (issue 14): every login and password reset goes through allauth.
    path("admin/login/", account_views.login_door),
    path("django-admin/login/", account_views.login_door),
    path("_util/login/", account_views.login_door, name="wagtailcore_login"),
    path("admin/password_reset/", account_views.password_reset_door),
    path("admin/password_reset/<path:rest>", account_views.password_reset_door),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", switch_language, name="switch_language"),  # GET: no CSRF token on public pages
    path("api/", api.urls),
    # "/" is the CMS HomePage (cms data migration); the name stays for {% url 'home' %}.
    path("", wagtail_serve, {"path": ""}, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:role>/<int:org_id>/", views.dashboard_role, name="dashboard_role"),
    path("org/<int:org_id>/invite/", views.invite_member, name="invite_member"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("notifications/", inbox_views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", inbox_views.notification_read, name="notification_read"),
    path("notifications/settings/", inbox_views.notification_settings, name="notification_settings"),
    path("notifications/subscriptions/", inbox_views.subscription_list, name="subscriptions"),
    path("notifications/subscriptions/<int:pk>/delete/", inbox_views.subscription_delete, name="subscription_delete"),
    path("feeds/subscriptions/<str:token>/rss/", SubscriptionFeed(), name="subscription_rss"),
    path("feeds/subscriptions/<str:token>/atom/", SubscriptionAtomFeed(), name="subscription_atom"),
    path("tools/verify_draw.py", views.verify_draw_tool, name="verify_draw_tool"),
    path("jobs/", include("projects.delivery.urls")),
    # Each app owns its URLs under its own prefix.
    path("agencies/", include("agencies.urls")),
    path("projects/", include("projects.urls")),
    path("credit/", include("ratings.urls")),
    path("oversight/", include("oversight.urls")),
    path("search/", include("marketplace.search.urls")),
    path("opendata/", include("opendata.urls")),
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
