"""The person's own account: resetting a forgotten password (rate limited) and deleting the
account. Views stay thin: the rules live in `ratelimit` and `privacy`."""

from axes.utils import reset as reset_failed_logins
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from wagtail.admin.views import account as wagtail_account

from cohorts import access

from . import privacy, ratelimit
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


def too_many_attempts(verdict):
    return ngettext(
        "Too many attempts in a short time. Nothing was sent or changed: please try again in %(minutes)s minute.",
        "Too many attempts in a short time. Nothing was sent or changed: please try again in %(minutes)s minutes.",
        verdict.retry_minutes,
    ) % {"minutes": verdict.retry_minutes}


class PasswordResetView(RateLimitedPasswordResetMixin, auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"


class AdminPasswordResetView(RateLimitedPasswordResetMixin, wagtail_account.PasswordResetView):
    pass


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        # The link proved the mailbox is theirs: a sign-in lockout for this email ends here.
        reset_failed_logins(username=login_name(None, {"username": self.user.email}))
        return super().form_valid(form)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("To be sure it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """What deleting removes and keeps, the portfolio to download first, then the password."""
    user = request.user
    allowed = privacy.can_delete_itself(user)
    form = DeleteAccountForm(request.POST if request.method == "POST" and allowed else None, user=user)
    if request.method == "POST" and allowed and form.is_valid():
        privacy.delete_account(user)
        logout(request)
        messages.success(request, _("Your account and your writing are deleted. Thank you for writing with us."))
        return redirect("/")
    is_facilitator = any(membership.is_facilitator for membership in access.memberships_for(user))
    return render(
        request,
        "course/delete_account.html",
        {"form": form, "allowed": allowed, "is_facilitator": is_facilitator},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
