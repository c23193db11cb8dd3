from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CourseConfig(AppConfig):
    name = "course"
    verbose_name = "Course"


class KlartextUsersAppConfig(WagtailUsersAppConfig):
    # Our user has one full_name instead of first/last name; Wagtail's user forms are swapped.
    user_viewset = "course.viewsets.UserViewSet"
