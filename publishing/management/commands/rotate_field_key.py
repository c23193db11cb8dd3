"""Re-encrypt every stored network secret with the first key of KLARTEXT_FIELD_KEY.

Rotation: put the new key first in KLARTEXT_FIELD_KEY (keep the old one after it), deploy, run
this command, then drop the old key."""

from django.core.management.base import BaseCommand
from django.db import transaction

from publishing.models import ConnectedAccount, MastodonApp

FIELDS = {ConnectedAccount: ["secret", "session"], MastodonApp: ["client_id", "client_secret"]}


class Command(BaseCommand):
    help = "Re-encrypt stored network tokens with the newest KLARTEXT_FIELD_KEY."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for model, fields in FIELDS.items():
                for row in model.objects.select_for_update():
                    # Loaded: decrypted with whichever key fits; saved: encrypted with the first.
                    row.save(update_fields=fields)
                    count += 1
        self.stdout.write(f"Re-encrypted {count} rows.")
