from django.conf import settings
from django.utils import translation


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
