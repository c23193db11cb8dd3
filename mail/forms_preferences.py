"""The member's nudge preferences for one membership."""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts.models import Membership
from course.models import Language
from course.names import short_name_from
from course.timezones import TimeZoneField, zone_named
from course.validators import validate_single_line, validate_visible

from .models import Kind
from .preferences import shown_kinds

MAX_PAUSE = datetime.timedelta(days=365)
SAVED_FIELDS = ["nudge_weekday", "nudge_hour", "time_zone", "language", "nudge_frequency", "paused_until"]


class PreferencesForm(forms.ModelForm):
    # The person's, not the membership's: one name in every cohort (saved on the user).
    short_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=60,
        required=False,
        validators=[validate_visible, validate_single_line],
        help_text=_("Used in greetings, in emails and on the site. Empty: your first name."),
    )
    time_zone = TimeZoneField(
        label=_("Your time zone"), help_text=_("Nudges arrive at your chosen hour in this time zone.")
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=Language.choices)
    opt_outs = forms.MultipleChoiceField(
        label=_("Switch these emails off"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ticked emails are no longer sent to you for this cohort. Untick one to get it again."),
    )

    class Meta:
        model = Membership
        fields = SAVED_FIELDS
        labels = {
            "nudge_weekday": _("Day of your weekly nudge"),
            "nudge_hour": _("Hour of your weekly nudge"),
            "nudge_frequency": _("Nudges after the course ends"),
            "paused_until": _("Pause all nudges until"),
        }
        help_texts = {
            "nudge_frequency": _("Once the course is over, how often should we remind you to post?"),
            "paused_until": _(
                "No nudges up to and including this day (at most a year ahead). Leave empty to get them."
            ),
        }
        widgets = {"paused_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, instance, user, opted_out_kinds=(), **kwargs):
        self.kinds = shown_kinds(instance)
        kwargs.setdefault("initial", {"opt_outs": [kind for kind in self.kinds if kind in set(opted_out_kinds)]})
        kwargs["initial"].setdefault("short_name", user.short_name)
        super().__init__(*args, instance=instance, prefix="preferences", **kwargs)
        self.fields["short_name"].widget.attrs["placeholder"] = short_name_from(user.full_name)
        self.order_fields(["short_name"])
        self.fields["opt_outs"].choices = [(kind.value, kind.label) for kind in map(Kind, self.kinds)]
        self.fields["paused_until"].input_formats = ["%Y-%m-%d"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_short_name(self):
        return " ".join(self.cleaned_data["short_name"].split())

    def clean(self):
        cleaned = super().clean()
        paused_until = cleaned.get("paused_until")
        if paused_until:
            zone_name = cleaned.get("time_zone") or self.instance.time_zone
            today = timezone.localtime(timezone.now(), zone_named(zone_name)).date()
            if paused_until <= today:
                self.add_error(
                    "paused_until",
                    _("Choose a day after today, or leave the field empty to get your nudges."),
                )
            elif paused_until > today + MAX_PAUSE:
                self.add_error(
                    "paused_until",
                    _("You can pause for at most a year: choose %(day)s or earlier.")
                    % {"day": date_format(today + MAX_PAUSE, "DATE_FORMAT")},
                )
        return cleaned
