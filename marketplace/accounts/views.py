"""The one login door: every other login or password-reset URL leads to allauth's views, which are
throttled (ACCOUNT_RATE_LIMITS) and refuse an unverified email (ACCOUNT_EMAIL_VERIFICATION)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _next(request, default: str) -> str:
    nxt = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return nxt if nxt and safe else default


def login_door(request):
    """Wagtail's front-end login (/_util/login/) and both admin logins: allauth's login, keeping `next`."""
    return redirect(f"{reverse('account_login')}?{urlencode({'next': _next(request, '/')})}")


def password_reset_door(request, rest: str = ""):
    """Wagtail's admin password reset: allauth's reset, which caps emails per address and per client."""
    return redirect("account_reset_password")
