"""One language at a time: every page each demo role reaches, in Chinese and in English, shows no word of
the other language (outside a short allowlist and what people entered: names, titles, reasons)."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.ui.pages import KNOWN, LOGINS, ROLES, content_corpus, leaks, pages_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--agencies", "12", stdout=io.StringIO())
            yield content_corpus()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(role, language):
    from marketplace.models import User

    client = Client()
    client.cookies["django_language"] = language
    if role != "anonymous":
        client.force_login(User.objects.get(email=LOGINS[role]))
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_no_leaked_words(demo, role, language):
    client = _client(role, language)
    found, statuses = {}, {}
    for url in pages_for(role):
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        words = leaks(response.content.decode(), english=language == "en", content=demo)
        if words and (language[:2], url) not in KNOWN:
            found[url] = words
    report = Path(os.environ.get("ARTIFACTS_DIR", "/tmp")) / f"leaks_{role}_{language}.json"
    report.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    assert [u for u, s in statuses.items() if s >= 400] == [], statuses
    assert found == {}, f"{sum(len(w) for w in found.values())} leaked words (see {report}): {found}"
