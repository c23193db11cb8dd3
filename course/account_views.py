"""The person's own account: resetting a forgotten password, rate limited (rules in `ratelimit`)
and sent after the response (`password_reset`, `tasks`).
Deleting an account is progress.account's: it knows everything a person has."""

from functools import partial

from axes.utils import reset as reset_failed_logins
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import ngettext
from wagtail.admin.views import account as wagtail_account

from . import ratelimit, tasks
from .identity import email_key
from .security import client_ip, login_name


class RateLimitedPasswordResetMixin:
    """Asking for a reset email, limited per client address and per email address asked for, so
    nobody can flood someone's inbox. Over the limit: the form again with the address typed and a
    message, status 429, and no email."""

    def post(self, request, *args, **kwargs):
        typed = request.POST.get("email", "")
        verdict = ratelimit.hit(
            (ratelimit.PASSWORD_RESET_PER_IP, client_ip(request)),
            (ratelimit.PASSWORD_RESET_PER_EMAIL, email_key(typed)),
        )
        if verdict:
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        form.add_error(None, too_many_attempts(verdict))
        return self.render_to_response(self.get_context_data(form=form), status=429)


class QueuedPasswordResetMixin:
    """The reset email leaves through Celery once the request's transaction commits, for every
    well-formed address: the answer takes the same time whether an account exists or not."""

    reset_flavour = "member"

    def form_valid(self, form):
        queue_password_reset(form.cleaned_data["email"], self.reset_flavour)
        return HttpResponseRedirect(self.get_success_url())


def queue_password_reset(email, flavour):
    transaction.on_commit(partial(tasks.send_password_reset.delay, email, flavour))


def too_many_attempts(verdict):
    return ngettext(
        "Too many attempts in a short time. Nothing was sent or changed: please try again in %(minutes)s minute.",
        "Too many attempts in a short time. Nothing was sent or changed: please try again in %(minutes)s minutes.",
        verdict.retry_minutes,
    ) % {"minutes": verdict.retry_minutes}


class PasswordResetView(RateLimitedPasswordResetMixin, QueuedPasswordResetMixin, auth_views.PasswordResetView):
    pass


class AdminPasswordResetView(
    RateLimitedPasswordResetMixin, QueuedPasswordResetMixin, wagtail_account.PasswordResetView
):
    reset_flavour = "admin"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        # The link proved the mailbox is theirs: a sign-in lockout for this email ends here.
        reset_failed_logins(username=login_name(None, {"username": self.user.email}))
        return super().form_valid(form)
