from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CourseConfig(AppConfig):
    # Two configs live in this module: without `default`, Django would use neither for "course".
    default = True
    name = "course"
    verbose_name = "Course"

    def ready(self):
        # Models import only once the app registry is ready.
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale

        from .translations import locales_changed

        post_save.connect(locales_changed, sender=Locale, dispatch_uid="course-locale-saved")
        post_delete.connect(locales_changed, sender=Locale, dispatch_uid="course-locale-deleted")


class KlartextUsersAppConfig(WagtailUsersAppConfig):
    # Our user has one full_name instead of first/last name; Wagtail's user forms are swapped.
    user_viewset = "course.viewsets.UserViewSet"
