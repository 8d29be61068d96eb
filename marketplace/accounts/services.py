"""Organisations, memberships and invitations: the writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marketplace import audit, inputs
from marketplace.models import Invitation, Membership, Organisation
from marketplace.permissions import require


@transaction.atomic
def create_organisation(*, by, kind: str, name: str, uscc: str | None = None, region=None,
                        admin=None) -> Organisation:
    if kind not in Organisation.Kind.values:
        raise ValidationError(f"未知的组织类型 / unknown organisation kind: {kind}")
    if not name.strip():
        raise ValidationError("名称不能为空 / name is required")
    org = Organisation.objects.create(kind=kind, name=name.strip(), uscc=uscc or None, region=region)
    audit.record(action="marketplace.organisation_created", by=by, obj=org, organisation=org,
                 data={"kind": kind, "name": org.name, "uscc": org.uscc})
    if admin is not None:
        add_member(by=by, organisation=org, user=admin, role=Membership.Role.ADMIN, check=False)
    return org


@transaction.atomic
def add_member(*, by, organisation: Organisation, user, role: str, check: bool = True) -> Membership:
    if check:
        require(by, "marketplace.manage_members", organisation)
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation,
                                                           defaults={"role": role})
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if organisation.kind == Organisation.Kind.OPERATOR:
        _grant_cms_access(user)
    audit.record(action="marketplace.member_added", by=by, obj=membership, organisation=organisation,
                 data={"user": user.email, "role": role})
    user.__dict__.pop("_membership_cache", None)
    return membership


@transaction.atomic
def invite(*, by, organisation: Organisation, email: str, role: str = Membership.Role.STAFF) -> Invitation:
    require(by, "marketplace.manage_members", organisation)
    email = inputs.email(email)
    if role not in Membership.Role.values:
        raise ValidationError("角色无效 / invalid role")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError("该用户已是本单位成员 / already a member")
    if Invitation.objects.filter(organisation=organisation, email=email, accepted_at__isnull=True,
                                 revoked_at__isnull=True).exists():
        raise ValidationError("已向该邮箱发出邀请 / an invitation to this address is already open")
    inv = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=by)
    audit.record(action="marketplace.invitation_sent", by=by, obj=inv, organisation=organisation,
                 data={"email": email, "role": role})
    from django.conf import settings

    link = settings.SITE_URL + reverse("invitation_accept", args=[inv.token])
    transaction.on_commit(lambda: send_mail(
        f"[中介超市] 邀请加入 {organisation.name}",
        f"{by} 邀请您以“{inv.get_role_display()}”身份加入 {organisation.name}。\n"
        f"请登录或注册（使用此邮箱）后打开：{link}\n链接7天内有效。",
        None, [email]))
    return inv


@transaction.atomic
def accept_invitation(*, by, token: str) -> Membership:
    inv = Invitation.objects.select_for_update().filter(token=token).first()
    if inv is None or not inv.is_open:
        raise ValidationError("邀请无效或已过期 / the invitation is invalid or has expired")
    if inv.email.lower() != by.email.lower():
        raise ValidationError("此邀请发给了另一个邮箱 / this invitation was sent to another address")
    inv.accepted_at = timezone.now()
    inv.accepted_by = by
    inv.save(update_fields=["accepted_at", "accepted_by"])
    return add_member(by=by, organisation=inv.organisation, user=by, role=inv.role, check=False)


def _grant_cms_access(user) -> None:
    """Operators run the Wagtail admin: put them in Wagtail's "Editors" group (created by Wagtail's
    migrations with admin access and page permissions)."""
    from django.contrib.auth.models import Group

    from marketplace.reference import OPERATORS_GROUP

    user.groups.add(*Group.objects.filter(name__in=["Editors", OPERATORS_GROUP]))
