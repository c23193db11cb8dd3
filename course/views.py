from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Both are case-sensitive except the email."
        ),
        "inactive": _("This account is inactive."),
    }


@require_GET
@never_cache
def healthz(request):
    """Liveness for a load balancer: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request):
    """The footer switcher: Django's own view sets the cookie and redirects; a signed-in person's
    choice is also saved on the profile, which the UserLanguageMiddleware prefers on every request."""
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return django_set_language(request)


def not_found(request, **kwargs):
    raise Http404()
