import pytest

from tests.fakes.mastodon import FakeMastodon


@pytest.fixture
def fake_mastodon(settings):
    """The FAKE Mastodon server (tests/fakes/mastodon.py); every instance name points at it."""
    with FakeMastodon(max_characters=300) as fake:
        settings.KLARTEXT_MASTODON_URL_TEMPLATE = fake.url
        settings.SITE_URL = "http://testserver"
        yield fake
