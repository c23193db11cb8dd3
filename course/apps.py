from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CourseConfig(AppConfig):
    # Two configs live in this module: without `default`, Django would use neither for "course".
    default = True
    name = "course"
    verbose_name = "Course"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.images import get_image_model
        from wagtail.models import Locale, get_page_models
        from wagtail.signals import post_page_move

        from . import outline

        # Per model, not for every sender: a post_delete receiver for all models would switch
        # off Django's fast deletes everywhere. Images too: the kept lessons hold the images
        # their bodies and covers show.
        for model in [*get_page_models(), Locale, get_image_model()]:
            post_save.connect(outline.pages_changed, sender=model, dispatch_uid=f"outline-save-{model._meta.label}")
            post_delete.connect(outline.pages_changed, sender=model, dispatch_uid=f"outline-del-{model._meta.label}")
        post_page_move.connect(outline.pages_changed, dispatch_uid="outline-move")
        # A data migration's historical models send no signals: renew after every migrate.
        post_migrate.connect(outline.migrated, sender=self, dispatch_uid="outline-migrate")


class KlartextUsersAppConfig(WagtailUsersAppConfig):
    # Our user has one full_name instead of first/last name; Wagtail's user forms are swapped.
    user_viewset = "course.viewsets.UserViewSet"
