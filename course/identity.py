"""Email addresses as identities: the one home for how Klartext compares them.

Two forms of one address:

- `clean_email` is the address we store and write to: trimmed, NFKC-normalised (fullwidth
  letters, the Kelvin sign K and the long s ſ become the plain letters) and lower-cased.
- `email_key` says who is meant: NFKC and Unicode case folding (as Django's password reset
  compares addresses), so "Anna@ACME.test", "ａnna@acme.test" and "anna@acme.test" are one person
  and "straße" is "strasse"; but the dotless ı stays apart from i.

Every sign-in lookup, lockout key (django-axes), rate-limit key and invitation match uses
`email_key`; the database's own case-insensitive match (PostgreSQL's UPPER() turns ı into I) only
narrows the candidates, `matching` decides.
"""

import unicodedata

from django.db.models import Q


def clean_email(value):
    return unicodedata.normalize("NFKC", (value or "").strip()).lower()


def email_key(value):
    # NFKC again after folding, so the key of a key is the key itself.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", (value or "").strip()).casefold())


def matching(queryset, value, field="email"):
    """The rows of `queryset` whose `field` has the same key as `value` (a list)."""
    key = email_key(value)
    if not key:
        return []
    candidates = queryset.filter(Q(**{f"{field}__iexact": clean_email(value)}) | Q(**{f"{field}__iexact": key}))
    return [row for row in candidates if email_key(getattr(row, field)) == key]
