"""Forms of the member's writing loop: the editor, conflicts, versions, sharing and publishing.

The forms only parse input. The rules (length caps, conflicts, what sharing and publishing do)
live in lessons.writing and lessons.platforms; the views turn their errors into messages.
"""

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.access import memberships_for

from .formats import Visibility
from .models import SubmissionVersion
from .platforms import POST_PLATFORM_CHOICES, ShareError, normalise_instance, post_url_problem
from .writing import WritingError, validate_text


def normalise_newlines(text):
    """Browsers send a textarea's line breaks as CRLF; platforms count a line break as one
    character, and so does the live counter, so the stored text uses LF only."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _check(rule, **text):
    """A lessons.writing length rule as a field error: the length cap is one rule, and the
    message is the same from the form and from the save."""
    try:
        rule(**{"title": "", "body": "", **text})
    except WritingError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class EditorForm(forms.Form):
    """One save from the editor. No maxlength attribute on purpose: it would let the browser cut
    pasted text silently; the fields refuse oversized text with lessons.writing's message while
    the text stays in the editor."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("A working title (optional)"), "class": "editor-title"}
        ),
    )
    body = forms.CharField(
        label=_("Your text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true", "class": "editor-body"}),
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        required=False,
        choices=[
            (SubmissionVersion.Kind.AUTOSAVE, SubmissionVersion.Kind.AUTOSAVE.label),
            (SubmissionVersion.Kind.SAVE, SubmissionVersion.Kind.SAVE.label),
        ],
        widget=forms.HiddenInput,
    )

    def clean_body(self):
        body = normalise_newlines(self.cleaned_data.get("body"))
        _check(validate_text, body=body)
        return body

    def clean_title(self):
        title = normalise_newlines(self.cleaned_data.get("title")).replace("\n", " ")
        _check(validate_text, title=title)
        return title

    def clean_kind(self):
        return self.cleaned_data.get("kind") or SubmissionVersion.Kind.AUTOSAVE


class ResolveForm(EditorForm):
    """The member's answer to a conflict panel."""

    KEEP_MINE = "keep_mine"
    TAKE_THEIRS = "take_theirs"

    choice = forms.ChoiceField(choices=[(KEEP_MINE, _("Keep mine")), (TAKE_THEIRS, _("Use the other version"))])
    # The newest version the member saw in the conflict panel: "keep mine" saves on top of it.
    conflict_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RestoreForm(forms.Form):
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who should read it?"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who should see this piece.")},
    )


class PostURLField(forms.URLField):
    """A public post's address: https only (every platform serves posts over https), typed in
    full. An address without a scheme is refused rather than completed: "linkedin.com/posts/x"
    is usually a half-copied link, and guessing made a second post of it."""

    default_validators = [URLValidator(schemes=["https"], message=_("Enter a valid URL starting with https://."))]

    def to_python(self, value):
        value = (value or "").strip()
        if value and "://" not in value:
            raise forms.ValidationError(post_url_problem(value, None), code="no_scheme")
        return super().to_python(value)


class RecordPostForm(forms.Form):
    url = PostURLField(
        label=_("Public URL of your post"),
        max_length=500,
        assume_scheme="https",  # unused: to_python refuses an address without a scheme
        widget=forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/posts/…"}),
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=POST_PLATFORM_CHOICES)
    # A date input only accepts ISO values: a localised "22.11.2026" would show as empty.
    posted_on = forms.DateField(label=_("Posted on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posted_on"].initial = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("url") and data.get("platform"):
            problem = post_url_problem(data["url"], data["platform"])
            if problem:
                self.add_error("url", problem)
        return data


class PostLogForm(RecordPostForm):
    """A public post made outside any assignment, for one of the member's own cohorts."""

    membership = forms.ModelChoiceField(label=_("Cohort"), queryset=None, empty_label=None)

    field_order = ["membership", "url", "platform", "posted_on"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        memberships = memberships_for(user)
        field = self.fields["membership"]
        field.queryset = memberships
        field.label_from_instance = lambda membership: str(membership.cohort)
        if len(memberships) == 1:
            field.initial = memberships[0].pk
            field.widget = forms.HiddenInput()


class MastodonInstanceForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "autocomplete": "off"}),
        help_text=_("Only the server's address, e.g. mastodon.social. We remember it for this browser session."),
    )
    limit = forms.IntegerField(
        label=_("Its character limit"),
        required=False,
        min_value=100,
        max_value=100_000,
        help_text=_("Many servers allow 500 characters, some more. Leave it empty if you do not know."),
    )

    def clean_instance(self):
        try:
            return normalise_instance(self.cleaned_data["instance"])
        except ShareError as error:
            raise forms.ValidationError(str(error), code="bad_instance") from None
