from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ExplicitLocaleMiddleware:
    """Simplified Chinese unless the visitor chose English with the language switcher (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a government platform's
    interface should not change language by itself on an English-configured browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class InputGuardMiddleware:
    """The one input-normalising layer: a NUL character anywhere in the request is refused with a 400.

    PostgreSQL cannot store NUL in text, and no legitimate form, query or path carries one; refusing
    it here (path, query string, form fields and JSON bodies) means no view has to remember to.
    File uploads are not inspected (their bytes are checked by the upload checker).
    """

    MESSAGE = "请求中含有不允许的控制字符（NUL）/ the request contains a forbidden control character (NUL)"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": self.MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json") or request.path.startswith("/api/"):
            # The API reads the raw body itself (a multipart POST to a JSON endpoint must reach ninja's
            # 4xx, not a "body already read" error), and its requests are small: check the bytes.
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return any("\x00" in key or any("\x00" in v for v in values if isinstance(v, str))
                       for key, values in request.POST.lists())
        return False


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (issue 14, finding 11).

    One static policy, no nonces, so anonymous pages stay cacheable: templates carry no inline script
    (JavaScript lives in static files, data in `data-*` attributes or `json_script`). Paths under
    `CSP_RELAXED_PREFIXES` (the Wagtail admin, whose date widgets and inline panels still ship small
    inline scripts) get `CSP_RELAXED_SCRIPT_SRC` instead; they are only reachable by signed-in operators.
    A view that sets its own header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = self._render(settings.CONTENT_SECURITY_POLICY)
        relaxed = {**settings.CONTENT_SECURITY_POLICY, **settings.CSP_RELAXED_DIRECTIVES}
        self.relaxed_policy = self._render(relaxed)
        self.relaxed_prefixes = tuple(settings.CSP_RELAXED_PREFIXES)
        self.permissions = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    @staticmethod
    def _render(directives: dict) -> str:
        return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives.items())

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.relaxed_policy if request.path.startswith(self.relaxed_prefixes) else self.policy
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
