"""The embedded default's broker (no REDIS_URL): a worker never sees a message before it is
written whole (kombu's own filesystem transport creates the file first and writes it after, and a
worker that took the empty file stopped with "Unrecoverable error: JSONDecodeError")."""

import os
from queue import Empty

import pytest
from kombu import Connection
from kombu.exceptions import ChannelError

from config import filesystem_broker
from config.celery import app


@pytest.fixture
def channel(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "store_processed": False}
    with Connection("filesystem://", transport=filesystem_broker.Transport, transport_options=options) as connection:
        yield connection.default_channel


def test_a_message_is_invisible_to_a_worker_until_it_is_written_whole(channel, monkeypatch):
    seen_while_writing = []
    real_replace = os.replace

    def replace(partial, final):
        with open(partial, "rb") as file:
            assert file.read(), "renamed into place before it was written"
        try:
            seen_while_writing.append(channel._get("celery"))
        except Empty:
            seen_while_writing.append(None)
        real_replace(partial, final)

    monkeypatch.setattr(filesystem_broker.os, "replace", replace)
    channel._put("celery", {"body": "whole"})

    assert seen_while_writing == [None]
    assert channel._get("celery") == {"body": "whole"}


def test_a_message_that_cannot_be_written_is_an_error_not_a_half_file(channel, tmp_path, monkeypatch):
    monkeypatch.setattr(channel, "data_folder_out", str(tmp_path / "missing"))
    with pytest.raises(ChannelError):
        channel._put("celery", {"body": "lost"})


def test_the_embedded_default_uses_it(settings):
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("REDIS_URL is set: Redis is the broker")
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, filesystem_broker.Transport)
