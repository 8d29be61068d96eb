"""A refused form comes back with every value typed and the message beside its field (no generic banner);
the agency management page has one id per element."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from agencies.models import AgencyService, Practitioner
from tests.agencies.factories import admitted_agency_with_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def manage(client):
    agency, user = admitted_agency_with_member()
    client.force_login(user)
    return agency, reverse("agencies:manage", args=[agency.pk])


def _form_of(html, op):
    start = html.index(f'name="op" value="{op}"')
    return html[start:html.index("</form>", start)]


def test_service_with_min_above_max_keeps_every_value(client, manage):
    agency, url = manage
    response = client.post(url, {"op": "service", "service_type": "ZR01", "fee_basis": "project",
                                 "price_min": "200000", "price_max": "100000", "time_limit_wd": "15",
                                 "description": "含外业测量与成图"})
    assert response.status_code == 200
    html = response.content.decode()
    form = _form_of(html, "service")
    for value in ('value="200000"', 'value="100000"', 'value="15"', "含外业测量与成图"):
        assert value in form, value
    assert 'class="errorlist' in form and "请检查填写内容" not in html
    assert 'class="messages"' not in html  # the message is in the form, not a banner
    assert not AgencyService.objects.filter(agency=agency, price_min=200000).exists()


def test_practitioner_with_a_wrong_check_digit_keeps_every_value(client, manage):
    agency, url = manage
    response = client.post(url, {"op": "practitioner", "name": "王晓明", "resident_id": "330482199001011230",
                                 "qualification_kind": "注册测绘师", "registration_number": "ZC-2026-01"})
    assert response.status_code == 200
    form = _form_of(response.content.decode(), "practitioner")
    for value in ("王晓明", "330482199001011230", "注册测绘师", "ZC-2026-01"):
        assert value in form, value
    assert 'class="errorlist' in form
    assert not Practitioner.objects.filter(name="王晓明").exists()


def test_one_id_per_element_on_the_manage_page(client, manage):
    _agency, url = manage
    for html in (client.get(url).content.decode(),
                 client.post(url, {"op": "case", "title": ""}).content.decode()):
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == []
        labels = re.findall(r'<label for="([^"]+)"', html)
        assert labels and all(ids[target] == 1 for target in labels)
