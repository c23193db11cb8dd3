from django.apps import AppConfig
from django.core import checks


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self):
        checks.register(field_key_check, checks.Tags.security)


def field_key_check(app_configs, **kwargs):
    """Start-up error (manage.py check, migrate, runserver, check --deploy) when production has
    no key for the stored network tokens."""
    from django.conf import settings

    if settings.KLARTEXT_FIELD_KEYS:
        return []
    return [
        checks.Error(
            "KLARTEXT_FIELD_KEY is not set: connected network accounts cannot be stored encrypted.",
            hint="Set KLARTEXT_FIELD_KEY to a Fernet key: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'",
            id="publishing.E001",
        )
    ]
