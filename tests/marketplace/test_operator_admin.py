import pytest
from django.urls import reverse

from marketplace.accounts.services import add_member
from marketplace.models import AuditEntry, Holiday, PolicyVersion
from marketplace.policy import DEFAULTS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(operator_org):
    user = UserFactory()
    add_member(by=None, organisation=operator_org, user=user, role="admin", check=False)
    return user


def _form(**changes):
    import json

    data = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in DEFAULTS.items()}
    data.update(changes)
    return data


def test_operator_adopts_new_policy_version(client, operator):
    client.force_login(operator)
    assert client.get(reverse("marketplace_policy")).status_code == 200
    resp = client.post(reverse("marketplace_policy"), _form(publicity_wd="5", note="本地规定"))
    assert resp.status_code == 302
    assert PolicyVersion.objects.latest("version").data["publicity_wd"] == 5
    assert AuditEntry.objects.filter(action="marketplace.policy_adopted").count() == 1


@pytest.mark.parametrize("bad", [{"publicity_wd": "three"}, {"credit_deductions": "{not json"},
                                 {"composite_weights": '{"price": 50, "technical": 30, "credit": 20}'},
                                 {"note": ""}])
def test_bad_policy_input_gets_message_and_changes_nothing(client, operator, bad):
    client.force_login(operator)
    data = _form(note="调整")
    data.update(bad)
    resp = client.post(reverse("marketplace_policy"), data, follow=True)
    shown = "".join(str(m) for m in resp.context["messages"])
    assert shown and " / " not in shown  # the Chinese side only (one language at a time)
    assert PolicyVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["anon", "owner", "regulator"])
def test_policy_editor_refused(client, who, owner_user, regulator_user):
    user = {"anon": None, "owner": owner_user, "regulator": regulator_user}[who]
    if user:
        client.force_login(user)
    resp = client.post(reverse("marketplace_policy"), _form(publicity_wd="9", note="x"))
    assert resp.status_code in (302, 403)
    assert PolicyVersion.objects.count() == 1


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
