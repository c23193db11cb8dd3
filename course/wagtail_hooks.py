from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.views.account import NameEmailSettingsPanel

from . import admin_csp
from .viewsets import AccountNameForm

# Wagtail's choosers render an inline <script>; ours render a marker for static/js/admin.js.
# Wagtail imports this module while building the admin's URLs, before any admin page renders.
admin_csp.install()
# The account page's name panel edits our one full name (Wagtail offers no hook to swap it).
NameEmailSettingsPanel.form_class = AccountNameForm


@hooks.register("insert_global_admin_js")
def start_widgets_without_inline_scripts():
    """Starts Wagtail's pickers, panels and choosers from markers (course/admin_csp.py), so the
    admin runs under a Content-Security-Policy without 'unsafe-inline' scripts."""
    return format_html('<script src="{}"></script>', static("js/admin.js"))
