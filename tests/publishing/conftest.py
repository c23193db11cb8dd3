import json
import os
import selectors
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon

ATPROTO = Path(__file__).resolve().parents[1] / "atproto"
NETWORK_START_TIMEOUT = 180


@pytest.fixture
def fake_mastodon(settings):
    """The FAKE Mastodon server (tests/fakes/mastodon.py); every instance name points at it."""
    with FakeMastodon(max_characters=300) as fake:
        settings.KLARTEXT_MASTODON_URL_TEMPLATE = fake.url
        settings.SITE_URL = "http://testserver"
        yield fake


@pytest.fixture
def fake_linkedin(settings):
    """The FAKE LinkedIn (tests/fakes/linkedin.py), with Klartext's LinkedIn app configured."""
    with FakeLinkedIn() as fake:
        settings.LINKEDIN_CLIENT_ID = fake.client_id
        settings.LINKEDIN_CLIENT_SECRET = fake.client_secret
        settings.LINKEDIN_OAUTH_URL = fake.url + "/oauth/v2"
        settings.LINKEDIN_API_URL = fake.url
        settings.SITE_URL = "http://testserver"
        yield fake


def _postgres_server():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the AppView of the local AT Protocol network needs PostgreSQL: set DATABASE_URL")
    return urlsplit(url)


def _read_line(process, timeout):
    """The network's first line on stdout (its URLs), or None if it exited or took too long."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if selector.select(timeout=1):
            return process.stdout.readline()
    return None


# For the module that uses it: idle, the network still takes a fifth of a core, which the rest of
# the session would pay.
@pytest.fixture(scope="module")
def atproto_network(tmp_path_factory):
    """A real local AT Protocol network (PLC, PDS, AppView) from npm's @atproto/dev-env, installed by
    `make install` (tests/atproto/install.sh); on loopback, free ports. The AppView gets a database
    of its own on the PostgreSQL server of DATABASE_URL, dropped afterwards.

    Yields {"pds", "plc", "bsky"} URLs. One for the module whose tests use it (test_bluesky.py);
    they share an xdist group, so `make test`'s workers never start two."""
    server = _postgres_server()
    where = subprocess.run([ATPROTO / "install.sh", "--dir"], capture_output=True, text=True, check=True)
    folder = Path(where.stdout.strip())
    node = folder / "node" / "node_modules" / "node" / "bin" / "node"
    if not (folder / ".installed").exists():
        pytest.fail(f"The local AT Protocol network is not installed in {folder}: run `make install`.")
    name = f"klartext_atproto_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log = tmp_path_factory.mktemp("atproto") / "network.log"
    env = {
        **os.environ,
        "ATPROTO_DEV_ENV": str(folder / "node_modules" / "@atproto" / "dev-env" / "dist" / "index.js"),
        "DB_POSTGRES_URL": urlunsplit(server._replace(path=f"/{name}")),
        # dev-env insists on a Redis host but hands it to nothing: the discard port proves it.
        "REDIS_HOST": "127.0.0.1:9",
        "NODE_ENV": "test",
    }
    with open(log, "wb") as errors:
        process = subprocess.Popen(
            [node, ATPROTO / "network.mjs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env
        )
    try:
        line = _read_line(process, NETWORK_START_TIMEOUT)
        if not line:
            pytest.fail(f"The local AT Protocol network did not start:\n{log.read_text()[-3000:]}")
        yield json.loads(line)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def atproto(atproto_network, settings):
    """The network, with Klartext's handle resolution and PLC pointed at it."""
    settings.ATPROTO_HANDLE_RESOLVER_URL = atproto_network["pds"]
    settings.ATPROTO_PLC_URL = atproto_network["plc"]
    settings.SITE_URL = "http://testserver"
    return atproto_network
