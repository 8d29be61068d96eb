"""The language switcher: a plain GET link that sets the language cookie and goes back.

It needs no CSRF token (the only state it changes is the visitor's own display language, like a
link to an English edition), so public pages carry no per-visitor token and can be served to every
anonymous visitor from the page cache (marketplace.pagecache). Django's `set_language` (POST with a
token) stays mounted at /i18n/setlang/ for compatibility.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET


@require_GET
def switch_language(request):
    code = request.GET.get("language", "")
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in {c for c, _name in settings.LANGUAGES}:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
