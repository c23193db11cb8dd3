from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "inbound"
    verbose_name = _("Inbound mail")

    def ready(self):
        from . import webhook  # noqa: F401 - connects the anymail inbound signal
