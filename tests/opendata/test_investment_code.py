"""项目代码: validated by its published format, shown on the posting, in OCDS planning, and searchable."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from marketplace.search import search_projects
from opendata import releases
from projects import investment_code, services
from projects.models import Project
from tests.projects.factories import PUBLISH_AT, make_draft, make_published

VALID = "2019-330482-48-01-012345"


@pytest.mark.parametrize("code", [VALID, "2024-330000-78-03-123456", "2016-110105-01-02-000001", ""])
def test_valid_codes(code):
    assert investment_code.problem(code) is None


@pytest.mark.parametrize("code, why", [
    ("2019330482480101234", "格式不正确"), ("2019-330482-48-01-01234", "格式不正确"),
    ("2019-330482-48-1-012345", "格式不正确"), ("ABCD-330482-48-01-012345", "格式不正确"),
    ("1999-330482-48-01-012345", "年份"), ("2019-990482-48-01-012345", "行政区划"),
    ("2019-330082-48-01-012345", "行政区划"), ("2019-330482-00-01-012345", "00"),
    ("2019-330482-48-00-012345", "00"),
])
def test_invalid_codes_say_why_in_chinese_and_english(code, why):
    message = investment_code.problem(code)
    assert why in message and " / " in message


@pytest.mark.django_db
def test_the_service_refuses_a_bad_code_and_nothing_is_created(owner_user, owner_org):
    with pytest.raises(ValidationError, match="投资项目代码"):
        make_draft(owner_user, owner_org, investment_code="2019-33048-48-01-012345")
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_form_shows_the_error(client, owner_user, owner_org):
    client.force_login(owner_user)
    response = client.post("/projects/new/", {"title": "测绘", "investment_code": "bad-code", "service_type": "ZR01",
                                              "region": "330482", "ceiling": "1000", "funding": "fiscal",
                                              "method": "draw", "requested_limit_wd": "10"})
    assert "投资项目代码" in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_revision_cannot_set_a_bad_code(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    with pytest.raises(ValidationError, match="投资项目代码"):
        services.revise(by=owner_user, project=project, changes={"investment_code": "2019-1"}, reason="更正",
                        now=PUBLISH_AT + dt.timedelta(hours=1))
    project.refresh_from_db()
    assert project.investment_code == ""


@pytest.mark.django_db
def test_shown_on_the_posting_in_planning_and_searchable(client, owner_user, owner_org,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = make_published(owner_user, owner_org, investment_code=VALID)
    assert VALID in client.get(f"/projects/{project.code}/").content.decode()
    [record] = releases.records_for([project])
    assert record["compiledRelease"]["planning"]["budget"]["projectID"] == VALID
    for query in (VALID, VALID.replace("-", "")):
        assert [hit.key for hit in search_projects(query).hits] == [project.code]
