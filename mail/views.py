"""One-click unsubscribe (RFC 8058): GET shows a confirmation, POST unsubscribes, no login."""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cohorts.models import Membership

from .models import OPTIONAL_KINDS, Kind, NudgeOptOut
from .tokens import read_unsubscribe_token


@csrf_exempt  # mail providers POST without cookies or a CSRF token; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        membership_id, kind = read_unsubscribe_token(token)
        membership = Membership.objects.select_related("cohort", "user").get(pk=membership_id)
    except (signing.BadSignature, Membership.DoesNotExist):
        return render(request, "mail/unsubscribe_invalid.html", status=400)
    context = {"membership": membership, "kind": Kind(kind), "token": token}
    if kind not in OPTIONAL_KINDS:
        # A link from before such mail stopped carrying one: it cannot be switched off alone.
        return render(request, "mail/unsubscribe_not_optional.html", context)
    if request.method == "POST":
        NudgeOptOut.objects.get_or_create(membership=membership, kind=kind)
        return render(request, "mail/unsubscribe_done.html", context)
    return render(request, "mail/unsubscribe_confirm.html", context)
