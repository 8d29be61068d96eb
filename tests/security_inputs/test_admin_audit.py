"""Issue 14, finding 4: every model in the Django admin and every Wagtail admin viewset is either
read-only or audited (a save writes a `marketplace.admin_write` entry with who and why). A model or
viewset that is neither, or that nobody classified here, fails."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from marketplace.models import AuditEntry, CalendarYear, Department, Holiday, Organisation, Region, ServiceType
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
ACTION = "marketplace.admin_write"
# Wagtail viewsets that are neither audited by us nor read-only: CMS content and Wagtail's own site
# records, whose every edit Wagtail itself logs with the user (Page revisions, the ModelLogEntry history).
WAGTAIL_CONTENT = {"wagtailcore.page", "wagtailcore.site", "wagtaildocs.document", "wagtailimages.image"}


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def _wagtail_viewsets():
    from wagtail.admin.viewsets import viewsets

    import marketplace.urls  # noqa: F401  (viewsets register when the admin URLconf loads)

    return [vs for vs in viewsets.viewsets if getattr(vs, "model", None) is not None
            and not isinstance(vs.model, str)]


def test_every_django_admin_model_is_read_only_or_audited(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    audited = set()
    for model, model_admin in admin.site._registry.items():
        if getattr(model_admin, "audited", False):
            audited.add(model._meta.label_lower)
            assert not model_admin.has_delete_permission(request), model
            continue
        writable = [p for p in ("add", "change", "delete")
                    if getattr(model_admin, f"has_{p}_permission")(request)]
        assert not writable, f"{model._meta.label} is writable in the Django admin without an audit entry: {writable}"
    assert audited == {"marketplace.user", "marketplace.organisation"}  # each exercised below


def test_a_model_registered_later_is_read_only_by_default(superuser):
    site = type(admin.site)()
    site.register(Department)
    request = RequestFactory().get("/")
    request.user = superuser
    assert not site._registry[Department].has_change_permission(request)


def test_every_wagtail_viewset_is_audited_or_named_content():
    unclassified = [vs.model._meta.label_lower for vs in _wagtail_viewsets()
                    if not getattr(vs, "audited", False) and vs.model._meta.label_lower not in WAGTAIL_CONTENT]
    assert unclassified == []
    audited = {vs.model._meta.label_lower for vs in _wagtail_viewsets() if getattr(vs, "audited", False)}
    assert audited >= {"marketplace.holiday", "marketplace.calendaryear", "marketplace.servicetype",
                       "marketplace.region", "marketplace.user", "auth.group"}


@pytest.mark.parametrize("path", ["/django-admin/agencies/agency/", "/django-admin/agencies/creditevent/",
                                  "/django-admin/agencies/blacklist/", "/django-admin/projects/project/",
                                  "/django-admin/marketplace/holiday/", "/django-admin/account/emailaddress/"])
def test_read_only_admin_refuses_a_post(client, superuser, path):
    from django.apps import apps

    client.force_login(superuser)
    app_label, model_name = path.strip("/").split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    obj = model.objects.first()
    before = AuditEntry.objects.count()
    assert client.post(path + "add/", {}).status_code == 403
    if obj is not None:
        assert client.post(f"{path}{obj.pk}/change/", {"name": "改"}).status_code == 403
    assert AuditEntry.objects.count() == before


def test_django_admin_organisation_save_is_audited_with_reason(client, superuser):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="平湖市行政审批局")
    client.force_login(superuser)
    url = reverse("admin:marketplace_organisation_change", args=[org.pk])
    data = {"name": "平湖市市场监督管理局", "kind": "regulator", "uscc": "", "region": "",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    resp = client.post(url, data)  # no reason: refused, nothing changes
    assert resp.status_code == 200 and "reason" in resp.context["adminform"].form.errors
    org.refresh_from_db()
    assert org.name == "平湖市行政审批局" and not AuditEntry.objects.filter(action=ACTION).exists()
    resp = client.post(url, {**data, "reason": "机构改革（平政发〔2026〕1号）"})
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.actor_id == superuser.pk and entry.reason.startswith("机构改革")
    assert entry.data["model"] == "marketplace.organisation" and entry.data["values"]["name"] == "平湖市市场监督管理局"


def test_django_admin_user_save_is_audited_and_password_is_not_settable(client, superuser):
    user = UserFactory(email="clerk@example.cn")
    client.force_login(superuser)
    url = reverse("admin:marketplace_user_change", args=[user.pk])
    resp = client.post(url, {"email": user.email, "name": "办事员", "phone": "", "is_active": "on",
                             "is_staff": "on", "reason": "新增窗口人员"})
    assert resp.status_code == 302
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.data["values"]["is_staff"] == "True" and entry.reason == "新增窗口人员"
    password_url = f"/django-admin/marketplace/user/{user.pk}/password/"
    assert client.post(password_url, {"password1": "x" * 12, "password2": "x" * 12}).status_code == 403


def _vs(model):
    return next(vs for vs in _wagtail_viewsets() if vs.model is model)


REFERENCE_WRITES = [
    (Holiday, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "source": "国办发明电"},
     {"date": "2027-10-01", "kind": "holiday", "name": "国庆节（改）", "source": "国办发明电"}),
    (CalendarYear, {"year": "2031", "confirmed": "on", "source": "国办"}, {"year": "2031", "source": "国办（撤回）"}),
    (Region, {"code": "330499", "name": "测试区", "parent": "330400"}, {"code": "330499", "name": "测试新区",
                                                                      "parent": "330400"}),
    (ServiceType, {"code": "T99", "name": "测试服务", "department": "", "typical_limit_wd": "20", "active": "on"},
     {"code": "T99", "name": "测试服务二", "department": "", "typical_limit_wd": "25", "active": "on"}),
]


@pytest.mark.parametrize(("model", "create", "change"), REFERENCE_WRITES, ids=lambda v: getattr(v, "__name__", ""))
def test_wagtail_reference_data_writes_are_audited_with_a_required_reason(client, superuser, model, create, change):
    if model is ServiceType:
        dept = Department.objects.first()
        create, change = {**create, "department": dept.pk}, {**change, "department": dept.pk}
    vs = _vs(model)
    client.force_login(superuser)
    count = model.objects.count()
    resp = client.post(reverse(vs.get_url_name("add")), create)
    assert resp.status_code == 200 and model.objects.count() == count  # no reason → form error
    assert "变更原因" in resp.content.decode()
    resp = client.post(reverse(vs.get_url_name("add")), {**create, "reason": "国务院办公厅通知"})
    assert resp.status_code == 302, resp.context["form"].errors
    obj = model.objects.get(**{k: create[k] for k in ("date", "year", "code") if k in create})
    edit_url = reverse(vs.get_url_name("edit"), args=[obj.pk])
    assert client.post(edit_url, {**change, "reason": "更正"}).status_code == 302
    delete_url = reverse(vs.get_url_name("delete"), args=[obj.pk])
    assert client.post(delete_url, {}).status_code == 200 and model.objects.filter(pk=obj.pk).exists()
    assert client.post(delete_url, {"reason": "录入错误"}).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    entries = list(AuditEntry.objects.filter(action=ACTION).order_by("pk"))
    assert [e.data["change"] for e in entries] == ["created", "changed", "deleted"]
    assert [e.reason for e in entries] == ["国务院办公厅通知", "更正", "录入错误"]
    assert all(e.actor_id == superuser.pk and e.data["model"] == model._meta.label_lower for e in entries)


def test_wagtail_group_and_user_writes_are_audited(client, superuser):
    client.force_login(superuser)
    formsets = {f"{p}-{k}": v for p in ("page_permissions", "document_permissions", "image_permissions",
                                        "collection_permissions")
                for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}
    resp = client.post(reverse("wagtailusers_groups:add"), {"name": "审核员", **formsets})
    assert resp.status_code == 302
    group = Group.objects.get(name="审核员")
    user = UserFactory(email="editor@example.cn")
    resp = client.post(reverse("wagtailusers_users:edit", args=[user.pk]),
                       {"email": user.email, "first_name": "编", "last_name": "辑", "is_active": "on", "is_superuser": "on",
                        "groups": [group.pk]})
    assert resp.status_code == 302, resp.context["form"].errors
    models_written = list(AuditEntry.objects.filter(action=ACTION).order_by("pk").values_list("data__model", flat=True))
    assert models_written == ["auth.group", "marketplace.user"]
    user.refresh_from_db()
    assert user.is_superuser and "password1" not in client.get(reverse("wagtailusers_users:edit", args=[user.pk])).content.decode()
