"""App configs that swap in the audited admin site and the audited Wagtail user/group screens
(named in INSTALLED_APPS; no model imports here, they load while the app registry is populated)."""

from django.contrib.admin.apps import AdminConfig
from wagtail.users.apps import WagtailUsersAppConfig


class MarketplaceAdminConfig(AdminConfig):
    default_site = "marketplace.admin_audit.MarketplaceAdminSite"


class MarketplaceWagtailUsersConfig(WagtailUsersAppConfig):
    user_viewset = "marketplace.wagtail_hooks.AuditedUserViewSet"
    group_viewset = "marketplace.wagtail_hooks.AuditedGroupViewSet"
