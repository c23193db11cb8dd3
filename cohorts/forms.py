"""Forms on the member side: creating an account from an invitation."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from course.names import short_name_from
from course.validators import validate_single_line, validate_visible


class AcceptInvitationForm(forms.Form):
    """Name and password for the account an invitation creates. The email is the invitation's."""

    full_name = forms.CharField(
        label=_("Your full name"), max_length=150, validators=[validate_visible, validate_single_line]
    )
    short_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=60,
        required=False,
        validators=[validate_visible, validate_single_line],
        help_text=_("Used in greetings, in emails and on the site. You can change it later in your preferences."),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        kwargs.setdefault(
            "initial", {"full_name": invitation.full_name, "short_name": short_name_from(invitation.full_name)}
        )
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_short_name(self):
        return " ".join(self.cleaned_data["short_name"].split())

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            # Validate against an unsaved user, so "too similar to your name/email" works too.
            user = get_user_model()(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
