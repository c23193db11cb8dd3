"""Sending a password reset link, after the request: the request only checks the address's form
and queues `course.tasks.send_password_reset` for every well-formed address, so it takes the
same time whether an account exists or not. The task finds the account with Django's own rules
(`PasswordResetForm.get_users`: active, usable password, the address compared case-folded) and
writes in the account's language, with Django's token generator.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm
from wagtail.admin.views.account import PasswordResetView as WagtailPasswordResetView


class InAccountLanguage:
    """The email in the language the person chose for their account, not the asker's browser's."""

    def send_mail(self, *args, **kwargs):
        context = kwargs["context"] if "context" in kwargs else args[2]
        with translation.override(context["user"].language or settings.LANGUAGE_CODE):
            super().send_mail(*args, **kwargs)


class MemberPasswordResetForm(InAccountLanguage, PasswordResetForm):
    pass


class AdminPasswordResetForm(InAccountLanguage, WagtailPasswordResetForm):
    pass


# Which reset page was used decides the form, the templates and so the link (member or admin).
FLAVOURS = {
    "member": {
        "form_class": MemberPasswordResetForm,
        "subject_template_name": "registration/password_reset_subject.txt",
        "email_template_name": "registration/password_reset_email.txt",
        "html_email_template_name": "registration/password_reset_email.html",
    },
    "admin": {
        "form_class": AdminPasswordResetForm,
        "subject_template_name": WagtailPasswordResetView.subject_template_name,
        "email_template_name": WagtailPasswordResetView.email_template_name,
        "html_email_template_name": None,
    },
}


def send_reset_email(email, flavour):
    """Email a reset link to the account with this address, if there is one; else nothing."""
    options = dict(FLAVOURS[flavour])
    form = options.pop("form_class")({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(domain_override=site.netloc, use_https=site.scheme == "https", **options)
