"""Wagtail's user admin, adapted to our user model (one full name, language, time zone)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .timezones import time_zone_choices
from .validators import EmailAddressField, validate_single_line, validate_visible

PROFILE_FIELDS = ["full_name", "short_name", "language", "time_zone"]


class ProfileFieldsMixin(forms.Form):
    # Wagtail's forms declare first/last name; our model has a single full name instead.
    first_name = None
    last_name = None
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    email = EmailAddressField(required=True, label=_("Email"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, validators=[validate_visible, validate_single_line]
    )
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=60,
        required=False,
        validators=[validate_single_line],
        help_text=_("Used in greetings. Empty: the first name without titles."),
    )


class KlartextUserCreationForm(ProfileFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | set(PROFILE_FIELDS)


class KlartextUserEditForm(ProfileFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | set(PROFILE_FIELDS)


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return KlartextUserEditForm if for_update else KlartextUserCreationForm
