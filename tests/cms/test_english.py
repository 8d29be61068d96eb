"""The public notice pages have an English interface (cms/locale/en)."""

import pytest
from django.urls import reverse

from tests.cms.test_public import make_notice

pytestmark = pytest.mark.django_db


def test_notice_list_in_english(tree, client):
    make_notice(1, title="公告甲")
    make_notice(2, title="公告乙")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("cms:notice_list")).content.decode()
    assert "Filter notices" in html and "2 notices" in html and "Publication date" not in html
    html = client.get(reverse("cms:notice_list"), {"date_from": "bad"}).content.decode()
    assert "date must be YYYY-MM-DD" in html and "日期格式" not in html
    html = client.get("/").content.decode()
    assert "Admitted agencies" in html and "Postings" in html and "Award notices" in html
