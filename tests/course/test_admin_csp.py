"""Wagtail's admin widgets render without inline <script> (course/admin_csp.py and the template
overrides), so the admin's CSP can keep script-src 'self'. Re-run on every Wagtail upgrade: a
widget that starts writing its own <script> again fails here, before the browser's CSP test."""

import pytest
from wagtail.admin.widgets import (
    AdminDateInput,
    AdminDateTimeInput,
    AdminPageChooser,
    AdminTimeInput,
)
from wagtail.admin.widgets.workflows import AdminTaskChooser
from wagtail.documents.widgets import AdminDocumentChooser
from wagtail.images.widgets import AdminImageChooser

from course.models import CoursePage

pytestmark = pytest.mark.django_db

# Every chooser the admin shows (Klartext registers no snippets, so there is no snippet chooser).
CHOOSERS = {
    "page": lambda: AdminPageChooser(),
    "course page": lambda: AdminPageChooser(target_models=[CoursePage]),
    "image": lambda: AdminImageChooser(),
    "document": lambda: AdminDocumentChooser(),
    "task": lambda: AdminTaskChooser(),
}
PICKERS = {
    "date": lambda: AdminDateInput(),
    "date and time": lambda: AdminDateTimeInput(),
    "time": lambda: AdminTimeInput(),
}


@pytest.mark.parametrize("kind", CHOOSERS)
def test_a_chooser_renders_a_marker_and_no_script(kind, course_page):
    widget = CHOOSERS[kind]()
    value = course_page.pk if "page" in kind else None

    html = widget.render("field", value, attrs={"id": "id_field"})

    assert "<script" not in html.lower()
    assert 'data-klartext-init="' in html
    assert 'data-for="id_field"' in html


@pytest.mark.parametrize("kind", PICKERS)
def test_a_date_or_time_picker_renders_no_script(kind):
    html = PICKERS[kind]().render("when", None, attrs={"id": "id_when"})

    assert "<script" not in html.lower()
    assert 'data-klartext-init="' in html


def test_a_chooser_without_an_id_is_refused_as_wagtail_does():
    with pytest.raises(TypeError):
        AdminPageChooser().render("field", None, attrs={})
