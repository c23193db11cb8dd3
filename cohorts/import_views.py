"""Importing people from a CSV file into a cohort in the Wagtail admin: upload → preview →
confirm. The parsed rows wait in the session between preview and confirmation, so what is imported
is exactly what was previewed.

Views stay thin: the rules live in `csv_import.py`; the cohort is loaded by
`admin_views.CohortPageMixin` (404 for a cohort the user does not facilitate).
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages

from . import csv_import
from .admin_forms import ConfirmImportForm, CsvUploadForm
from .admin_views import CohortPageMixin

PENDING_IMPORTS_KEY = "cohort_csv_imports"
PENDING_IMPORTS_KEPT = 3
PENDING_IMPORT_LIFETIME = datetime.timedelta(hours=1)


def stash_rows(session, cohort, rows, filename):
    """Keep the parsed valid rows in the session under a random token until they are confirmed.
    The browser only ever holds the token, so what is imported is exactly what was previewed."""
    pending = session.get(PENDING_IMPORTS_KEY, {})
    # Keep only the newest few when someone keeps uploading without confirming.
    oldest_first = sorted(pending, key=lambda token: pending[token]["created"])
    for token in oldest_first[: max(0, len(oldest_first) - PENDING_IMPORTS_KEPT + 1)]:
        del pending[token]
    token = secrets.token_urlsafe(24)
    pending[token] = {
        "cohort": cohort.pk,
        "filename": filename,
        "created": timezone.now().isoformat(),
        "rows": [row.as_dict() for row in rows],
    }
    session[PENDING_IMPORTS_KEY] = pending
    return token


def take_rows(session, cohort, token):
    """The stashed rows for this cohort and token, removed from the session (so a second click
    imports nothing); None when unknown, for another cohort, or older than an hour."""
    pending = session.get(PENDING_IMPORTS_KEY, {})
    entry = pending.pop(token, None)
    session[PENDING_IMPORTS_KEY] = pending
    if not entry or entry.get("cohort") != cohort.pk:
        return None
    created = datetime.datetime.fromisoformat(entry["created"])
    if timezone.now() - created > PENDING_IMPORT_LIFETIME:
        return None
    session[PENDING_IMPORTS_KEY + "_taken"] = {token: entry}
    return csv_import.rows_from_dicts(entry["rows"])


def put_back_rows(session, token):
    """An import that failed invited nobody: its rows go back, so it can be confirmed again."""
    taken = session.pop(PENDING_IMPORTS_KEY + "_taken", {})
    if token in taken:
        pending = session.get(PENDING_IMPORTS_KEY, {})
        pending[token] = taken[token]
        session[PENDING_IMPORTS_KEY] = pending


class CohortImportView(CohortPageMixin, TemplateView):
    """Step 1: upload a file; the response is the preview (valid rows and errors by line)."""

    template_name = "cohorts/admin/import_upload.html"
    preview_template_name = "cohorts/admin/import_preview.html"
    page_title = _("Import people from a CSV file")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CsvUploadForm()))

    def post(self, request, *args, **kwargs):
        form = CsvUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        uploaded = form.cleaned_data["file"]
        try:
            text, encoding = csv_import.read_upload(uploaded)
            preview = csv_import.parse(text, encoding=encoding)
        except csv_import.CsvFileError as error:
            form.add_error("file", error.message)
            return self.render_to_response(self.get_context_data(form=form))
        csv_import.note_existing(self.object, preview.rows)
        token = stash_rows(request.session, self.object, preview.rows, uploaded.name) if preview.rows else ""
        self.template_name = self.preview_template_name
        return self.render_to_response(
            self.get_context_data(
                form=CsvUploadForm(),
                preview=preview,
                filename=uploaded.name,
                confirm_form=ConfirmImportForm(initial={"token": token}),
                confirm_url=self.url("confirm_import_url_name"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": self.url("import_url_name"),
                "submit_button_label": _("Check the file"),
                "submit_button_active_label": _("Checking…"),
                "form_is_multipart": True,
                "max_rows": f"{csv_import.MAX_ROWS:,}",
            }
        )
        return context


class CohortConfirmImportView(CohortPageMixin, TemplateView):
    """Step 2: invite the rows that were previewed (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ConfirmImportForm(request.POST)
        rows = take_rows(request.session, self.object, form.data.get("token", "")) if form.is_valid() else None
        if rows is None:
            messages.error(
                request,
                _("This import was already done or has expired; nothing was imported. Upload the file again."),
            )
            return redirect(self.url("import_url_name"))
        try:
            counts = csv_import.invite_rows(self.object, rows, invited_by=request.user)
        except (ValidationError, DatabaseError) as error:
            put_back_rows(request.session, form.data.get("token", ""))
            messages.error(
                request,
                _("Nobody was invited: %(problem)s Correct the file and upload it again, or try again.")
                % {
                    "problem": " ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else _("a row could not be saved.")
                },
            )
            return redirect(self.url("import_url_name"))
        request.session.pop(PENDING_IMPORTS_KEY + "_taken", None)
        add_import_messages(request, counts)
        return redirect(f"{self.overview_url}#invitations-section")


def add_import_messages(request, counts):
    parts = []
    if counts["created"]:
        parts.append(
            ngettext("%(count)s person invited.", "%(count)s people invited.", counts["created"])
            % {"count": counts["created"]}
        )
    if counts["refreshed"]:
        parts.append(
            ngettext(
                "%(count)s invitation was already pending and was sent again with a fresh link.",
                "%(count)s invitations were already pending and were sent again with a fresh link.",
                counts["refreshed"],
            )
            % {"count": counts["refreshed"]}
        )
    if counts["already_member"]:
        parts.append(
            ngettext(
                "%(count)s person is already in the cohort and was not invited again.",
                "%(count)s people are already in the cohort and were not invited again.",
                counts["already_member"],
            )
            % {"count": counts["already_member"]}
        )
    if counts["kept"]:
        parts.append(
            ngettext(
                "%(count)s facilitator's invitation was left as it is: only staff send it again.",
                "%(count)s facilitators' invitations were left as they are: only staff send them again.",
                counts["kept"],
            )
            % {"count": counts["kept"]}
        )
    messages.success(request, " ".join(parts) or _("Nobody was imported."))
