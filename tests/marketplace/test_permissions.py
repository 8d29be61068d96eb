import pytest

from marketplace import permissions
from marketplace.models import Department, Region
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def test_unknown_action_fails_closed(owner_user):
    with pytest.raises(KeyError):
        permissions.can(owner_user, "no.such.rule")


def test_anonymous_refused_for_non_public_rules(owner_org):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can(AnonymousUser(), "marketplace.manage_members", owner_org)


def test_regulator_scope_by_region_tree_and_department():
    reg = OrganisationFactory(kind="regulator")
    reg.scope_regions.add(Region.objects.get(code="330400"))  # 嘉兴市 covers 平湖市
    dept = Department.objects.get(name="自然资源")
    reg.scope_departments.add(dept)
    assert permissions.regulator_covers(reg, "330482", dept.pk)
    assert not permissions.regulator_covers(reg, "441802", dept.pk)
    other = Department.objects.get(name="生态环境")
    assert not permissions.regulator_covers(reg, "330482", other.pk)
    assert permissions.regulator_covers(reg, "330482")  # None: any department
    assert permissions.regulator_covers(reg, "330482", {other.pk, dept.pk})
    assert not permissions.regulator_covers(reg, "330482", set())  # under no department
    user = member_of(reg)
    assert permissions.regulator_covers(user, "330482", dept.pk)
    assert not permissions.regulator_covers(user, "330482", other.pk)


def test_empty_scope_means_all():
    reg = OrganisationFactory(kind="regulator")
    assert permissions.regulator_covers(reg, "441802", None)
    assert permissions.regulator_covers(reg, "441802", set())
