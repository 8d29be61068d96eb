"""Smaller items of issue 16: mail greeting in the reader's language, one site name in the home page title,
the favicon, Wagtail labels of our models in English mode."""

import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

SITE = SimpleNamespace(name="中介超市", domain="zjcs.example")


@pytest.mark.parametrize(("language", "greeting", "absent"), [("zh-hans", "您好！这里是中介超市。", "Hello"),
                                                             ("en", "Hello, this is 中介超市.", "您好")])
def test_account_mail_greets_in_one_language(language, greeting, absent):
    with translation.override(language):
        text = render_to_string("account/email/password_reset_key_message.txt",
                                {"current_site": SITE, "password_reset_url": "https://zjcs.example/r/"})
    assert text.strip().startswith(greeting)
    assert absent not in text


@pytest.mark.django_db
def test_home_title_names_the_site_once(client):
    from cms.tree import ensure_page_tree

    ensure_page_tree()
    html = client.get("/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.count("中介超市") == 1, title
    assert 'rel="icon"' in html and "favicon.svg" in html


def test_our_wagtail_labels_are_translated():
    from django.apps import apps

    cjk = re.compile(r"[\u4e00-\u9fff]")
    with translation.override("en"):
        for app in ("marketplace", "cms"):
            config = apps.get_app_config(app)
            assert not cjk.search(str(config.verbose_name))
            for model in config.get_models():
                for text in (model._meta.verbose_name, model._meta.verbose_name_plural,
                             *(getattr(f, "verbose_name", "") for f in model._meta.get_fields())):
                    assert not cjk.search(str(text)), (model._meta.label, str(text))
        from marketplace import wagtail_hooks

        assert str(wagtail_hooks.ReferenceDataGroup.menu_label) == "Reference data"
