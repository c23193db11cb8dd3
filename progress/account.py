"""Deleting one's own account: what goes and what stays (rules in `privacy`), the portfolio to
download first, then the password."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cohorts import access

from . import privacy


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


@never_cache
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
