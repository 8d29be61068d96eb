import pytest
from django.urls import reverse

from marketplace.accounts.services import add_member
from marketplace.models import AuditEntry, Holiday
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(operator_org):
    user = UserFactory()
    add_member(by=None, organisation=operator_org, user=user, role="admin", check=False)
    return user


def test_operator_edits_holidays_in_wagtail_admin(client, operator):
    client.force_login(operator)
    from wagtail.admin.viewsets import viewsets

    vs = next(v for v in viewsets.viewsets if getattr(v, "model", None) is Holiday)
    resp = client.get(reverse(vs.get_url_name("add")))
    assert resp.status_code == 200
    resp = client.post(reverse(vs.get_url_name("add")), {"date": "2027-01-01", "kind": "holiday", "name": "元旦",
                                                          "source": "国办发明电〔2026〕",
                                                          "reason": "2027年节假日安排"})
    assert resp.status_code == 302
    assert Holiday.objects.filter(date="2027-01-01").exists()
    assert AuditEntry.objects.get(action="marketplace.admin_write").reason == "2027年节假日安排"


def test_owner_cannot_edit_holidays(client, owner_user):
    from wagtail.admin.viewsets import viewsets

    vs = next(v for v in viewsets.viewsets if getattr(v, "model", None) is Holiday)
    client.force_login(owner_user)
    resp = client.post(reverse(vs.get_url_name("add")), {"date": "2027-01-01", "kind": "holiday", "name": "x"})
    assert resp.status_code in (302, 403)
    assert not Holiday.objects.filter(date="2027-01-01").exists()
