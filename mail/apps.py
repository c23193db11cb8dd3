from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Email"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers; importing it is the point)
