"""The site's URLs plus `/__bare__/`, a view that does nothing (mounted only by bench/bench_settings.py)."""

from django.http import HttpResponse
from django.urls import path

from marketplace.urls import urlpatterns as site


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("__bare__/", bare), *site]
