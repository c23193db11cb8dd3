"""Settings for a Celery worker process a test starts: the app's own, with every Mastodon server
name pointing at the FAKE Mastodon the test runs (tests/fakes/mastodon.py, its URL in
KLARTEXT_TEST_MASTODON_URL)."""

import os

from config.settings import *  # noqa: F403

KLARTEXT_MASTODON_URL_TEMPLATE = os.environ["KLARTEXT_TEST_MASTODON_URL"]
