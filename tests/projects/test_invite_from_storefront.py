import pytest
from django.urls import reverse

from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_storefront_invite_prefills_an_invitation_posting(client, owner_user):
    agency = AgencyFactory()
    storefront = client.get(reverse("agencies:storefront", kwargs={"uscc": agency.uscc})).content.decode()
    assert f"?invite={agency.uscc}" in storefront
    client.force_login(owner_user)
    resp = client.get(reverse("projects:create") + f"?invite={agency.uscc}")
    assert resp.status_code == 200
    form = resp.context["form"]
    assert form.initial["method"] == "invitation" and form.initial["invited"] == agency.uscc


def test_invite_link_refused_for_non_owner(client, regulator_user):
    client.force_login(regulator_user)
    assert client.get(reverse("projects:create") + "?invite=X").status_code == 403
