"""No link leads to a refusal: every internal link on the pages each demo role reaches is followed with
that role's session, and none answers 403, 404 or a server error (issue 16: "no link is shown to a role
that would get 403")."""

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.ui.pages import ROLES, pages_for
from tests.ui.test_language import _client, demo  # noqa: F401  (module fixture: the seeded demo)

pytestmark = pytest.mark.django_db

_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.I)
# Links that are not pages to check: leaving, switching language, static files, the Wagtail admin
# (its own permission model), downloads of stored files (checked by their own tests).
_SKIP = re.compile(r"^/(static|media|admin|django-admin|accounts/logout|language|i18n)/")


def links(html: str) -> set[str]:
    found = set()
    for raw in _HREF.findall(html):
        url = urldefrag(unescape(raw)).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or _SKIP.match(url):
            continue
        found.add(url)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_a_refusal(demo, role):  # noqa: F811
    client = _client(role, "zh-hans")
    seen, bad = {}, {}
    for page in pages_for(role):
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for url in sorted(links(response.content.decode()) - set(seen)):
            status = client.get(url).status_code
            seen[url] = status
            if status in (401, 403, 404) or status >= 500:
                bad.setdefault(page, []).append((url, status))
    assert len(seen) > 10, seen  # the crawl reached the role's links
    assert bad == {}, bad
