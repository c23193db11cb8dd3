"""Wagtail's user admin, adapted to our user model (one full name, language, time zone)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .timezones import TimeZoneField
from .validators import EmailAddressField, validate_single_line, validate_visible

PROFILE_FIELDS = ["full_name", "short_name", "language", "time_zone"]


class ProfileFieldsMixin(forms.Form):
    # Wagtail's forms declare first/last name; our model has a single full name instead.
    first_name = None
    last_name = None
    time_zone = TimeZoneField(label=_("Time zone"))
    email = EmailAddressField(required=True, label=_("Email"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, validators=[validate_visible, validate_single_line]
    )
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=60,
        required=False,
        validators=[validate_visible, validate_single_line],
        help_text=_("Used in greetings. Empty: the first name without titles."),
    )


class KlartextUserCreationForm(ProfileFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | set(PROFILE_FIELDS)


class KlartextUserEditForm(ProfileFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | set(PROFILE_FIELDS)


class AccountNameForm(forms.ModelForm):
    """The admin's own account page ("Name and Email"): the full name as the person writes it.
    Wagtail's form asks for a first and a last name our user does not have; it showed them empty,
    required, and dropped what was typed."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, validators=[validate_visible, validate_single_line]
    )
    email = EmailAddressField(required=True, label=_("Email"))
    # The email is the sign-in (and where a password reset goes): a session alone must not move it.
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only to change your email address."),
    )

    class Meta:
        model = get_user_model()
        fields = ["full_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not getattr(settings, "WAGTAIL_EMAIL_MANAGEMENT_ENABLED", True):
            del self.fields["email"]
            del self.fields["current_password"]

    def clean(self):
        cleaned = super().clean()
        if "email" in self.fields and cleaned.get("email"):
            # Compared with the stored row: Wagtail's account view re-renders a refused form with
            # the same user object, which the refused form has already changed in memory.
            stored_email, stored_password = (
                get_user_model().objects.filter(pk=self.instance.pk).values_list("email", "password").get()
            )
            if cleaned["email"] != stored_email and not check_password(
                cleaned.get("current_password") or "", stored_password
            ):
                self.add_error("current_password", _("Enter your current password to change your email address."))
        return cleaned


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return KlartextUserEditForm if for_update else KlartextUserCreationForm
