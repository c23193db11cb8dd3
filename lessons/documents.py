"""Who may fetch a document (a worksheet a lesson links): Wagtail serves the file at
/documents/<id>/<name> after its before_serve_document hook (lessons/wagtail_hooks.py) asks here.
The web server must not serve MEDIA_ROOT/documents/ itself."""

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from cohorts import access

from .models import LessonPage


def serve_document(request, document):
    """Wagtail's before_serve_document hook: None lets Wagtail serve the file.

    Editors who may choose or change the document in the admin fetch it. A member fetches it
    once a lesson that links it has opened for them (lessons.gating's rule); to anyone else it is
    not there, and a visitor who is not signed in is asked to sign in first."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    editors = policy_registry.get_by_type(get_document_model())
    if editors.user_has_any_permission_for_instance(user, ["choose", "change"], document):
        return None
    if any(access.lesson_reading(user, lesson).level == "full" for lesson in linking_lessons(document)):
        return None
    raise Http404("No such document.")


def linking_lessons(document):
    """The live lessons that link `document` (Wagtail's reference index)."""
    page_ids = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return list(LessonPage.objects.live().filter(pk__in=[int(pk) for pk in page_ids]))
