"""The project's URLs plus the IdP under /idp/o/ (used as ROOT_URLCONF by the SSO test only)."""

from django.urls import include, path

from marketplace.urls import urlpatterns as project_urls

urlpatterns = [path("idp/o/", include("oauth2_provider.urls", namespace="oauth2_provider")), *project_urls]
