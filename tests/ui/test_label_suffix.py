"""Form labels end with the colon of the page's language: "项目名称：" in Chinese, "Title:" in English."""

import pytest
from django.utils import translation

from projects.forms import ProjectForm


@pytest.mark.parametrize(("language", "suffix"), [("zh-hans", "："), ("en", ":")])
def test_label_suffix_follows_the_language(language, suffix):
    with translation.override(language):
        tag = ProjectForm()["title"].label_tag()
    assert tag.endswith(f"{suffix}</label>"), tag
    assert (":" in tag) == (language == "en")
