"""Operator tools in the Wagtail admin: reference data (holidays, calendar years, service catalogue,
regions) and the versioned policy editor.

Reference data changes deadlines and eligibility, so every save and delete asks for a reason and writes a
`marketplace.admin_write` audit entry (marketplace.admin_audit). Wagtail's own user and group screens
(swapped in by marketplace.admin_config) write the same entry; their forms are Wagtail's, so the reason
is optional there.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.users.views.groups import GroupViewSet
from wagtail.users.views.users import UserViewSet

from marketplace import admin_views, holiday_views
from marketplace.admin_audit import AuditedViewSetMixin
from marketplace.models import CalendarYear, Holiday, Region, ServiceType


class HolidayViewSet(AuditedViewSetMixin, ModelViewSet):
    model = Holiday
    icon = "date"
    menu_label = _("节假日")
    form_fields = ["date", "kind", "name", "source"]
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    search_fields = ["name"]


class CalendarYearViewSet(AuditedViewSetMixin, ModelViewSet):
    model = CalendarYear
    icon = "calendar"
    menu_label = _("节假日年度")
    form_fields = ["year", "confirmed", "source"]
    list_display = ["year", "confirmed", "source"]


class ServiceTypeViewSet(AuditedViewSetMixin, ModelViewSet):
    model = ServiceType
    icon = "list-ul"
    menu_label = _("服务目录")
    form_fields = ["code", "name", "name_en", "department", "qualification", "typical_limit_wd", "active"]
    list_display = ["code", "name", "department", "typical_limit_wd", "active"]
    list_filter = ["department", "active"]
    search_fields = ["code", "name"]


class RegionViewSet(AuditedViewSetMixin, ModelViewSet):
    model = Region
    icon = "site"
    menu_label = _("行政区划")
    form_fields = ["code", "name", "parent"]
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]


class AuditedUserViewSet(AuditedViewSetMixin, UserViewSet):
    reason_required = False


class AuditedGroupViewSet(AuditedViewSetMixin, GroupViewSet):
    reason_required = False


class ReferenceDataGroup(ModelViewSetGroup):
    menu_label = _("基础数据")
    menu_icon = "cogs"
    menu_order = 800
    items = (HolidayViewSet, CalendarYearViewSet, ServiceTypeViewSet, RegionViewSet)


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()


@hooks.register("register_admin_urls")
def register_policy_urls():
    return [path("policy/", admin_views.policy_edit, name="marketplace_policy"),
            path("holidays/year/", holiday_views.holiday_year, name="marketplace_holiday_year")]


@hooks.register("register_admin_menu_item")
def register_policy_menu_item():
    return MenuItem(_("政策参数"), reverse("marketplace_policy"), icon_name="form", order=810)


@hooks.register("register_admin_menu_item")
def register_holiday_year_menu_item():
    return MenuItem(_("按年录入节假日"), reverse("marketplace_holiday_year"), icon_name="date", order=805)
