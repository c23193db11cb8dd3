"""Validators every form, CSV import and writing rule shares: one home per rule.

* `validate_email_address` / `EmailAddressField`: a valid address that fits the 254-character
  email columns (Django's form field alone lets up to 320 through, and the database refuses);
* `validate_single_line`: no line breaks or control characters in names and titles (they break
  calendar feeds and email headers);
* `has_visible_text` / `validate_visible`: at least one letter, digit, punctuation mark or symbol,
  so zero-width characters, whitespace or lone combining marks never count as a name or an answer.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

# The width of every email column (Django's EmailField default, RFC 5321's path limit).
EMAIL_MAX_LENGTH = 254
VISIBLE_CATEGORIES = frozenset("LNPS")  # letters, numbers, punctuation, symbols


def validate_email_address(value):
    if len(value or "") > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An email address can have at most %(max)s characters (this one has %(length)s)."),
            code="email_too_long",
            params={"max": EMAIL_MAX_LENGTH, "length": len(value)},
        )
    validate_email(value)


class EmailAddressField(forms.EmailField):
    """A form's email field, limited to the width of the email columns with a clear message."""

    default_validators = [validate_email_address]

    def __init__(self, **kwargs):
        # No max_length: its generic message would come first; validate_email_address says it plainly.
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", str(EMAIL_MAX_LENGTH))


# Bidirectional embeddings, overrides and isolates: in a name or title they turn the text
# after them around ("Hallo \u202eolleh") in emails and pages.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(char):
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS


def validate_single_line(value):
    if any(_is_control(char) for char in value or ""):
        raise ValidationError(_("Use a single line without line breaks or control characters."), code="not_single_line")


def has_visible_text(value):
    return any(unicodedata.category(char)[0] in VISIBLE_CATEGORIES for char in value or "")


def validate_visible(value):
    if not has_visible_text(value):
        raise ValidationError(
            _("Write some visible text: spaces and invisible characters alone do not count."), code="invisible"
        )


def single_line(value):
    """`value` on one line: line breaks and tabs become spaces, other control characters go.
    For text written into places that must never break (calendar feeds, headers)."""
    out = []
    for char in value or "":
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\r\n\t\v\f\x85":
            out.append(" ")
        elif category == "Cc":
            continue
        else:
            out.append(char)
    return " ".join("".join(out).split())


def validate_fields(instance, rules):
    """Run `rules` ({field name: [validators]}) on a model instance, for its clean(): every
    problem is reported on its field at once."""
    errors = {}
    for name, validators in rules.items():
        value = getattr(instance, name, "")
        if not value:
            continue
        for validator in validators:
            try:
                validator(value)
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)
