from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

from . import security


class UserLanguageMiddleware:
    """A signed-in person's profile language wins over the browser's Accept-Language and the
    switcher cookie; LocaleMiddleware (earlier in the chain) still decides for everyone else.
    The switcher saves the profile too (course.views.set_language), so the two never disagree."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
        if language in self.supported and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class SiteReportsMiddleware:
    """Wagtail's site-wide reports are refused (403) to a signed-in person who is not staff
    (cohorts.security.may_see_site_reports); anonymous people still get Wagtail's login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = request.user
        if (
            match is not None
            and security.SITE_REPORTS_NAMESPACE in match.namespaces
            and user.is_authenticated
            and not security.may_see_site_reports(user)
        ):
            raise PermissionDenied


class PrivatePagesMiddleware:
    """Every answer to a signed-in person is theirs alone (their writing, cohort, circle, account):
    `Cache-Control: no-store, private` (Django's never_cache headers), so neither a shared cache
    nor the browser's history keeps it. The one mechanism for all member pages; a view opts out
    only by marking its response `public` itself. Anonymous requests without a session cookie are
    left alone (and their session is not touched, so no `Vary: Cookie` is added)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._signed_in(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _signed_in(request):
        user = getattr(request, "user", None)
        if user is None:
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return user.is_authenticated
        # No session cookie: signed in only by this very request (login() sets request.user).
        return not isinstance(user, SimpleLazyObject) and user.is_authenticated


class SignedOutHtmxMiddleware:
    """An htmx request (an autosave, a response to a peer) whose session has ended gets 401 and,
    in `HX-Login`, the sign-in URL that leads back to the page the person is on: not the sign-in
    page swapped into the page, and nothing the person typed is replaced (static/js/app.js and
    editor.js say so and keep the text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 302
            and request.headers.get("HX-Request") == "true"
            and not request.user.is_authenticated
            and urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)
        ):
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path if current.path.startswith("/") and not current.path.startswith("//") else "/"
            if current.query:
                back += "?" + current.query
            signed_out = HttpResponse(status=401)
            signed_out["HX-Login"] = redirect_to_login(back).url
            return signed_out
        return response
