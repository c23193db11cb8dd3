"""Forms of the consultant's cohort pages in the Wagtail admin. Every choice is limited to the
cohort being managed, so a posted id of another cohort's circle, member or invitation is refused
by validation rather than trusted."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from course.models import Language
from course.timezones import TimeZoneField
from course.validators import EmailAddressField, validate_single_line, validate_visible

from .circles import CircleError, move_to_circle, save_circle
from .csv_import import CsvFileError, check_upload
from .invitations import may_invite
from .models import Circle, Membership, Role


class CohortForm(WagtailAdminModelForm):
    """The cohort's own form: a lesson date may move only a lesson of the cohort's course (the
    page chooser offers every lesson)."""

    def is_valid(self):
        valid = super().is_valid()
        course = getattr(self, "cleaned_data", {}).get("course")
        if course is None:
            return valid
        for form in self.formsets["lesson_dates"].forms:
            lesson = getattr(form, "cleaned_data", {}).get("lesson")
            if lesson is None or form.cleaned_data.get("DELETE"):
                continue
            if lesson.canonical.get_parent().pk != course.canonical.pk:
                message = _("“%(lesson)s” is not a lesson of this cohort's course, %(course)s.")
                form.add_error("lesson", message % {"lesson": lesson.title, "course": course.title})
                valid = False
        return valid


class InviteForm(forms.Form):
    email = EmailAddressField(label=_("Email"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=[validate_visible, validate_single_line]
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = TimeZoneField(label=_("Time zone"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, cohort, user=None, **kwargs):
        kwargs.setdefault("initial", {"language": cohort.language, "time_zone": cohort.time_zone})
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        # Only staff may invite facilitators: others get no such choice, and a posted one is refused.
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if may_invite(user, value)]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, email, language, time zone (a header row in English or German is "
            "fine; comma or semicolon). At most 1 MB and 2,000 people."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            check_upload(uploaded)
        except CsvFileError as error:
            raise forms.ValidationError(error.message, code="invalid_file") from None
        return uploaded


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class MoveMemberForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), widget=forms.HiddenInput)
    circle = forms.ModelChoiceField(
        label=_("Circle"),
        queryset=Circle.objects.none(),
        required=False,
        empty_label=_("No circle"),
        error_messages={"invalid_choice": _("That circle is not one of this cohort's circles.")},
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["membership"].queryset = cohort.memberships.filter(role=Role.MEMBER).select_related("user")
        self.fields["circle"].queryset = cohort.circles.all()

    def save(self):
        membership = self.cleaned_data["membership"]
        try:
            return move_to_circle(membership, self.cleaned_data["circle"])
        except CircleError as error:
            self.add_error("circle", error)
            return None


class CircleForm(forms.Form):
    circle = forms.ModelChoiceField(
        label=_("Circle"),
        queryset=Circle.objects.none(),
        required=False,
        empty_label=_("A new circle"),
        help_text=_("Pick a circle to rename it, or leave “A new circle” to create one."),
    )
    name = forms.CharField(label=_("Name"), max_length=60, validators=[validate_visible, validate_single_line])

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["circle"].queryset = cohort.circles.all()

    def save(self):
        try:
            return save_circle(self.cohort, self.cleaned_data["name"], self.cleaned_data.get("circle"))
        except CircleError as error:
            self.add_error("name", error)
            return None


class PendingInvitationForm(forms.Form):
    invitation = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That invitation was accepted or is not one of this cohort's.")},
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = cohort.invitations.filter(accepted_at__isnull=True)
