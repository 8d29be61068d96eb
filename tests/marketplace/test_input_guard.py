"""A NUL character anywhere in a request is refused with a 400 and a bilingual message; nothing is written."""

import pytest

from marketplace.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MESSAGE = "不允许的控制字符"


@pytest.mark.parametrize("url", [
    "/agencies/?q=%00",
    "/agencies/?q=%E6%B5%8B%00",
    "/api/projects?region=%00",
    "/api/search/agencies?q=a%00b",
    "/credit/agencies/91330482MA2B00000%00/",
    "/postings/%00/",
    "/notices/?kind=posting&q=%00",
])
def test_nul_in_a_query_or_path_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def test_api_refusal_is_json(client):
    response = client.get("/api/agencies?service_type=%00")
    assert response.status_code == 400 and MESSAGE in response.json()["detail"]


def test_nul_in_a_posted_form_field_changes_nothing(client):
    client.force_login(UserFactory())
    before = AuditEntry.objects.count()
    response = client.post("/accounts/email/", {"email": "a\x00@example.cn", "action_add": ""})
    assert response.status_code == 400 and MESSAGE in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_nul_in_a_json_body_is_refused(client):
    response = client.post("/api/projects", data='{"q": "a\\u0000"}', content_type="application/json")
    assert response.status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get("/agencies/?q=测绘").status_code == 200
    assert client.get("/api/projects?region=330482").status_code == 200
