from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
