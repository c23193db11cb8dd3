"""Publishing: posting pieces to the networks where members connected an account, and bringing
the replies home.

    models.py     ConnectedAccount (secrets encrypted: crypto.py), MastodonApp, Publication, Reply
    accounts.py   connect (Bluesky app password; Mastodon OAuth), disconnect (revoke, delete)
    posting.py    schedule, tick (reconcile, queue due posts), post (claim, each part, outcome)
    bluesky.py    the atproto SDK: PDS from the handle, createRecord with a derived rkey, facets
    mastodon.py   Mastodon.py: app per server, OAuth, Idempotency-Key, status context
    replies.py    harvest replies; conversations started and replies answered
    text.py       each network's text and thread (lessons.network_text)
    tasks.py      thin Celery tasks taking ids
"""
