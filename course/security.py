"""Request-level security helpers: who is asking (client IP, normalised login name), which
Content-Security-Policy a response gets, and the page a locked-out login sees.

Settings live in config/settings.py (AXES_*, CONTENT_SECURITY_POLICY, KLARTEXT_ADMIN_CSP,
KLARTEXT_PROXY_COUNT); SECURITY.md describes the whole picture.
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve

from . import ratelimit
from .identity import email_key
from .models import is_staff


def client_ip(request):
    """The address of the person, not of our own reverse proxy.

    With KLARTEXT_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the one
    our outermost proxy saw; anything further left was written by the client and can be forged.
    Without proxies (n = 0) the header is ignored altogether."""
    count = settings.KLARTEXT_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    # None when there is no address at all (a request built in code): axes stores the address in
    # an IP column, and a made-up placeholder would not fit it.
    return request.META.get("REMOTE_ADDR") or None


def login_name(request, credentials):
    """The login (an email) as axes counts it: its email key (course/identity.py), the same the
    sign-in looks the account up by, so every spelling that reaches one account counts as one."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return email_key(value)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for sign-ins, which always come with a request (the login forms of the
    site and of the Wagtail admin pass it). A password checked without one, by a management
    command or a test, is nobody's attempt from an address: axes would raise; we let it through
    to the next backend, which checks the password as usual."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        verdict = ratelimit.hit((ratelimit.SIGN_IN_PER_IP, client_ip(request)))
        if not verdict:
            # Axes' own way out: the middleware answers with `lockout_response`.
            request.axes_locked_out = True
            request.sign_in_retry_minutes = verdict.retry_minutes
            raise AxesBackendPermissionDenied("Too many sign-in attempts from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """Too many failed sign-ins for this email from this address: a page, not an error (429)."""
    by_address = getattr(request, "sign_in_retry_minutes", None)
    minutes = by_address or math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {"minutes": minutes, "by_address": by_address is not None}
    return render(request, "registration/locked_out.html", context, status=429)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with one more rule: the Wagtail admin (its editor sets inline styles) gets
    KLARTEXT_ADMIN_CSP; the member site keeps the strict CONTENT_SECURITY_POLICY. A view's own
    @csp decorator still wins."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and _is_admin(request):
            parts.config = default_config(settings.KLARTEXT_ADMIN_CSP["DIRECTIVES"])
        return parts


def _is_admin(request):
    # Wagtail renders a preview through the middleware again with a dummy request for the page's
    # own URL; its answer is framed by the admin's preview panel, so it is the admin's too.
    return request.path_info.startswith(settings.KLARTEXT_ADMIN_PREFIX) or getattr(request, "is_dummy", False)


# Wagtail's site-wide reports (site history, locked and aging pages, workflows) span every cohort.
SITE_REPORTS_NAMESPACE = "wagtailadmin_reports"


def may_see_site_reports(user):
    return is_staff(user)


def is_site_report(path):
    try:
        return SITE_REPORTS_NAMESPACE in resolve(path).namespaces
    except Resolver404:
        return False
