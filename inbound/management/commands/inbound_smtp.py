"""Run the inbound SMTP server until SIGINT or SIGTERM."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from inbound.server import controller


class Command(BaseCommand):
    help = "Receive replies, bounces and complaints over SMTP (KLARTEXT_INBOUND_SMTP_HOST/PORT)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.KLARTEXT_INBOUND_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.KLARTEXT_INBOUND_SMTP_PORT)

    def handle(self, *args, host, port, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        server = controller(host, port)
        server.start()
        self.stdout.write(
            f"Inbound SMTP on {host}:{port} for reply+…@ and bounce+…@{settings.KLARTEXT_INBOUND_DOMAIN}"
            f" (at most {settings.KLARTEXT_INBOUND_MAX_BYTES:,} bytes a message)"
        )
        try:
            stop.wait()
        finally:
            server.stop()
