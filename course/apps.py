from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CourseConfig(AppConfig):
    # Two configs live in this module: without `default`, Django would use neither for "course".
    default = True
    name = "course"
    verbose_name = "Course"

    def ready(self):
        # Models import only once the app registry is ready.
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.models import Locale, get_page_models
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .page_cache import pages_changed
        from .translations import locales_changed

        post_save.connect(locales_changed, sender=Locale, dispatch_uid="course-locale-saved")
        post_delete.connect(locales_changed, sender=Locale, dispatch_uid="course-locale-deleted")
        for model in get_page_models():
            post_save.connect(pages_changed, sender=model, dispatch_uid=f"course-page-saved-{model._meta.label}")
            post_delete.connect(pages_changed, sender=model, dispatch_uid=f"course-page-deleted-{model._meta.label}")
        page_published.connect(pages_changed, dispatch_uid="course-page-published")
        page_unpublished.connect(pages_changed, dispatch_uid="course-page-unpublished")
        post_page_move.connect(pages_changed, dispatch_uid="course-page-moved")
        post_migrate.connect(pages_changed, dispatch_uid="course-pages-migrated")


class KlartextUsersAppConfig(WagtailUsersAppConfig):
    # Our user has one full_name instead of first/last name; Wagtail's user forms are swapped.
    user_viewset = "course.viewsets.UserViewSet"
