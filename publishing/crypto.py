"""Secrets at rest: network tokens and app passwords are stored encrypted with Fernet keys from
the environment (KLARTEXT_FIELD_KEY, several for rotation: the first encrypts, all decrypt).

`EncryptedTextField` encrypts on the way into the database and decrypts on the way out, so a
dump, a backup or a query log never holds a token in clear. The value is never put in `repr`,
logs, emails or pages: callers read it only to talk to the network.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class UndecryptableSecret(Exception):
    """The stored value was encrypted with a key that is no longer configured."""


def fernet():
    keys = settings.KLARTEXT_FIELD_KEYS
    if not keys:
        raise ImproperlyConfigured("KLARTEXT_FIELD_KEY must be set to store network tokens.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(value):
    return fernet().encrypt(value.encode()).decode()


def decrypt(token):
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableSecret("A stored secret cannot be decrypted with the configured keys.") from error


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python sees the clear text. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
