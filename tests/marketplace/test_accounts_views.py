import re

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.models import AuditEntry, Invitation, Membership, Organisation
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_signup_requires_email_verification_then_logs_in(client):
    resp = client.post(reverse("account_signup"), {"email": "new@example.cn", "password1": "Xy-9-long-pass",
                                                    "password2": "Xy-9-long-pass"})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1
    # Not verified yet: login is refused until the email is confirmed.
    client.logout()
    resp = client.post(reverse("account_login"), {"login": "new@example.cn", "password": "Xy-9-long-pass"})
    assert resp.status_code == 302 and "confirm-email" in resp["Location"]
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    resp = client.post("/" + path)
    assert resp.status_code == 302
    resp = client.get(reverse("dashboard"))
    assert resp.status_code == 200  # logged in, no organisation yet → welcome page
    assert "尚未加入任何单位" in resp.content.decode()


def test_login_by_email_lands_on_role_dashboard(client, owner_user, owner_org):
    resp = client.post(reverse("account_login"), {"login": owner_user.email, "password": PASSWORD}, follow=True)
    assert resp.status_code == 200
    assert resp.redirect_chain[-1][0] == reverse("dashboard_role", args=["owner", owner_org.pk])
    assert "项目业主工作台" in resp.content.decode()


def test_login_is_throttled_after_repeated_failures(client, owner_user):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": owner_user.email, "password": "wrong-password"})
    resp = client.post(reverse("account_login"), {"login": owner_user.email, "password": PASSWORD})
    assert resp.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_logins_go_through_throttled_allauth_login(client, path):
    resp = client.get(path + "?next=/admin/")
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("account_login"))


def test_wagtail_admin_refuses_non_operator(client, owner_user):
    login(client, owner_user)
    resp = client.get("/admin/")
    assert resp.status_code in (302, 403)


@pytest.mark.parametrize("name,args", [("dashboard", []), ("notifications", [])])
def test_private_pages_redirect_anonymous_to_login(client, name, args):
    resp = client.get(reverse(name, args=args))
    assert resp.status_code == 302 and reverse("account_login") in resp["Location"]


@pytest.mark.parametrize("kind", ["agency", "owner", "regulator", "operator"])
def test_each_role_gets_its_dashboard(client, kind):
    org = OrganisationFactory(kind=kind)
    user = member_of(org)
    login(client, user)
    resp = client.get(reverse("dashboard"), follow=True)
    assert resp.status_code == 200
    assert f'data-role="{kind}"' in resp.content.decode()


def test_dashboard_of_another_organisation_is_refused(client, owner_user, other_owner_org):
    login(client, owner_user)
    resp = client.get(reverse("dashboard_role", args=["owner", other_owner_org.pk]))
    assert resp.status_code == 403


def test_dashboard_with_wrong_role_for_organisation_is_refused(client, owner_user, owner_org):
    login(client, owner_user)
    assert client.get(reverse("dashboard_role", args=["regulator", owner_org.pk])).status_code == 403
    assert client.get(reverse("dashboard_role", args=["operator", 0])).status_code == 403


def test_dashboard_anonymous_redirected(client, owner_org):
    resp = client.get(reverse("dashboard_role", args=["owner", owner_org.pk]))
    assert resp.status_code == 302


def test_operator_sees_unconfirmed_calendar_warning(client, operator_user, operator_org):
    login(client, operator_user)
    resp = client.get(reverse("dashboard_role", args=["operator", operator_org.pk]))
    assert "2027 年节假日数据尚未载入" in resp.content.decode()


def test_admin_invites_staff_and_invitee_accepts(client, owner_user, owner_org, django_capture_on_commit_callbacks):
    login(client, owner_user)
    with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(reverse("invite_member", args=[owner_org.pk]), {"email": "Staff@Example.cn", "role": "staff"})
    assert resp.status_code == 302
    inv = Invitation.objects.get(organisation=owner_org)
    assert inv.email == "staff@example.cn"
    assert inv.token in mail.outbox[-1].body
    invitee = UserFactory(email="staff@example.cn")
    client.force_login(invitee)
    resp = client.post(reverse("invitation_accept", args=[inv.token]))
    assert resp.status_code == 302
    assert Membership.objects.filter(user=invitee, organisation=owner_org, role="staff").exists()
    assert AuditEntry.objects.filter(action="marketplace.member_added", organisation=owner_org).count() == 1


def test_invitation_for_someone_else_is_refused_and_changes_nothing(client, owner_user, owner_org):
    from marketplace.accounts.services import invite

    inv = invite(by=owner_user, organisation=owner_org, email="a@example.cn")
    intruder = UserFactory(email="b@example.cn")
    client.force_login(intruder)
    resp = client.post(reverse("invitation_accept", args=[inv.token]), follow=True)
    assert "另一个邮箱" in resp.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()


def test_staff_and_other_org_cannot_invite(client, owner_org, other_owner_user):
    staff = member_of(owner_org, role=Membership.Role.STAFF)
    for user in (staff, other_owner_user):
        login(client, user)
        resp = client.post(reverse("invite_member", args=[owner_org.pk]), {"email": "x@example.cn", "role": "admin"})
        assert resp.status_code == 403
    assert not Invitation.objects.exists()


def test_anonymous_cannot_invite(client, owner_org):
    resp = client.post(reverse("invite_member", args=[owner_org.pk]), {"email": "x@example.cn"})
    assert resp.status_code == 302
    assert not Invitation.objects.exists()


def test_bad_invitation_email_gets_bilingual_message_and_changes_nothing(client, owner_user, owner_org):
    login(client, owner_user)
    resp = client.post(reverse("invite_member", args=[owner_org.pk]), {"email": "not-an-email"}, follow=True)
    assert "请输入有效的电子邮箱" in resp.content.decode() and "enter a valid email address" not in resp.content.decode()
    assert not Invitation.objects.exists()


def test_notifications_only_show_own(client, owner_user, other_owner_user):
    from marketplace.models import Notification

    Notification.objects.create(key="k1", recipient=owner_user, kind="t", title="我的消息")
    Notification.objects.create(key="k1", recipient=other_owner_user, kind="t", title="别人的消息")
    login(client, owner_user)
    body = client.get(reverse("notifications")).content.decode()
    assert "我的消息" in body and "别人的消息" not in body


def test_home_page_serves(client):
    assert client.get("/").status_code == 200


def test_organisation_kinds_are_the_four_roles():
    assert set(Organisation.Kind.values) == {"agency", "owner", "regulator", "operator"}


def test_operator_member_gets_wagtail_admin(client, operator_org):
    from marketplace.accounts.services import add_member

    user = UserFactory()
    add_member(by=None, organisation=operator_org, user=user, role="staff", check=False)
    client.force_login(user)
    resp = client.get("/admin/")
    assert resp.status_code == 200, (resp.status_code, resp.get("Location"))


def test_interface_is_chinese_by_default_and_english_switchable(client, owner_user, owner_org):
    client.force_login(owner_user)
    url = reverse("dashboard_role", args=["owner", owner_org.pk])
    assert "项目业主工作台" in client.get(url).content.decode()
    resp = client.post(reverse("set_language"), {"language": "en", "next": url}, follow=True)
    body = resp.content.decode()
    assert "Owner dashboard" in body and "Log out" in body


def test_browser_language_alone_does_not_switch_to_english(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "首页" in body and ">Home<" not in body


def test_password_reset_by_email(client, owner_user):
    resp = client.post(reverse("account_reset_password"), {"email": owner_user.email})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    resp = client.get(path, follow=True)
    form_url = resp.redirect_chain[-1][0] if resp.redirect_chain else path
    resp = client.post(form_url, {"password1": "New-pass-2026-x", "password2": "New-pass-2026-x"})
    assert resp.status_code == 302
    owner_user.refresh_from_db()
    assert owner_user.check_password("New-pass-2026-x")


def test_password_reset_for_unknown_email_changes_nothing(client):
    resp = client.post(reverse("account_reset_password"), {"email": "nobody@example.cn"})
    assert resp.status_code in (200, 302)
    assert all("reset/key" not in m.body for m in mail.outbox)
