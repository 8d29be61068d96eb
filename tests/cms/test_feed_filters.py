"""The public notice feeds narrowed by service type and region (a region takes in those below it);
unknown codes are 404 and every value stays escaped."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from marketplace.models import Region, ServiceType

pytestmark = pytest.mark.django_db
XSS = "<img src=x onerror=alert(1)>"


def _titles(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    return [el.text or "" for el in root.iter() if el.tag.split("}")[-1] == "title"]


@pytest.fixture
def postings(tree, record_event, published_project):
    made = {}
    for name, st, region in (("平湖测绘", "ZR01", "330482"), ("海宁测绘", "ZR01", "330481"),
                             ("平湖环评", "HB01", "330482")):
        project = published_project(title=f"{name}{XSS}", service_type=ServiceType.objects.get(code=st),
                                    region=Region.objects.get(code=region))
        record_event("projects.published", project)
        made[name] = project
    return made


@pytest.mark.parametrize("view", ["cms:feed_rss", "cms:feed_atom"])
def test_feeds_filter_by_service_type_and_region(client, postings, view):
    url = reverse(view, args=["posting"])
    both = _titles(client.get(url, {"service_type": "ZR01", "region": "330482"}))
    assert any("平湖测绘" in t for t in both)
    assert not any("海宁测绘" in t or "平湖环评" in t for t in both)
    city = _titles(client.get(url, {"service_type": "ZR01", "region": "330400"}))  # the city takes in its counties
    assert any("平湖测绘" in t for t in city) and any("海宁测绘" in t for t in city)
    assert not any("平湖环评" in t for t in city)
    everything = _titles(client.get(url))
    assert sum(any(name in t for t in everything) for name in postings) == 3


@pytest.mark.parametrize("view", ["cms:feed_rss", "cms:feed_atom"])
def test_filtered_feeds_escape_values_and_refuse_unknown_codes(client, postings, view):
    url = reverse(view, args=["all"])
    response = client.get(url, {"service_type": "ZR01", "region": "330482"})
    assert response.status_code == 200 and b"<img" not in response.content
    assert b"service_type=ZR01" in response.content  # the feed's own links keep the filter
    assert client.get(url, {"service_type": f"ZR01{XSS}"}).status_code == 404
    assert client.get(url, {"region": "999999"}).status_code == 404
    assert XSS.encode() not in client.get(url, {"region": XSS}).content
