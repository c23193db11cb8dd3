"""PostgreSQL and Redis for the bench: reachability, the bench's own database and Redis numbers,
and the environment every process of a run shares.

The bench never touches the developer's or CI's data: it creates (and drops) its own databases,
`klartext_bench` and the template `klartext_bench_tpl` it is copied from, and uses its own Redis
database numbers (broker 12, cache 13), which it flushes.
"""

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "klartext_bench"
TEMPLATE_DB = "klartext_bench_tpl"
REDIS_DB = 12  # the cache takes the next number (config.settings)


class ServiceMissing(Exception):
    pass


@dataclass
class Services:
    pg_host: str
    pg_port: int
    pg_user: str
    pg_password: str
    redis_host: str
    redis_port: int

    def pg_url(self, dbname):
        auth = quote(self.pg_user) + (f":{quote(self.pg_password)}" if self.pg_password else "")
        return f"postgres://{auth}@{self.pg_host}:{self.pg_port}/{dbname}"

    def redis_url(self, db=REDIS_DB):
        return f"redis://{self.redis_host}:{self.redis_port}/{db}"


def from_environment(environ=os.environ):
    """Host, port and credentials from DATABASE_URL / REDIS_URL when they point at PostgreSQL and
    Redis, else the defaults 127.0.0.1:5432 (user postgres) and 127.0.0.1:6379. Only the servers
    are taken from them: the bench's database names and Redis numbers are its own."""
    pg = urlsplit(environ.get("DATABASE_URL", ""))
    if pg.scheme not in {"postgres", "postgresql", "pgsql"}:
        pg = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
    redis = urlsplit(environ.get("REDIS_URL", ""))
    if redis.scheme != "redis":
        redis = urlsplit("redis://127.0.0.1:6379/0")
    return Services(
        pg_host=pg.hostname or "127.0.0.1",
        pg_port=pg.port or 5432,
        pg_user=pg.username or "postgres",
        pg_password=pg.password or "",
        redis_host=redis.hostname or "127.0.0.1",
        redis_port=redis.port or 6379,
    )


def admin_connection(services, dbname="postgres"):
    import psycopg

    return psycopg.connect(
        host=services.pg_host,
        port=services.pg_port,
        user=services.pg_user,
        password=services.pg_password or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=3,
    )


def check(services):
    """Raise ServiceMissing with what to do when PostgreSQL or Redis cannot be reached."""
    import psycopg
    import redis

    problems = []
    try:
        with admin_connection(services) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        problems.append(f"PostgreSQL at {services.pg_host}:{services.pg_port} (user {services.pg_user}): {first_line}")
    try:
        redis.Redis(host=services.redis_host, port=services.redis_port, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as error:
        problems.append(f"Redis at {services.redis_host}:{services.redis_port}: {error}")
    if problems:
        raise ServiceMissing(
            "make bench needs PostgreSQL and Redis, and cannot reach:\n  "
            + "\n  ".join(problems)
            + "\nStart them, or point DATABASE_URL=postgres://user@host:port/any and REDIS_URL=redis://host:port/0 "
            f"at running servers (the bench uses its own database {BENCH_DB} and Redis databases "
            f"{REDIS_DB}/{REDIS_DB + 1})."
        )


RUN_LOCK = 7_400_812  # any constant: one bench run at a time per PostgreSQL server


def hold_run_lock(services, wait_seconds=1800):
    """An advisory lock held by an open connection for the whole run: a second run (the CI smoke
    test started while someone benchmarks) waits for the first instead of dropping its database
    and purging its queue. Closing the connection, or the process ending, releases it."""
    connection = admin_connection(services)
    if connection.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK]).fetchone()[0]:
        return connection
    print(f"Another bench run is using {BENCH_DB}; waiting for it to finish …", flush=True)
    connection.execute(f"SET lock_timeout = '{int(wait_seconds)}s'")
    connection.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])
    return connection


def flush_redis(services):
    import redis

    for db in (REDIS_DB, REDIS_DB + 1):
        redis.Redis(host=services.redis_host, port=services.redis_port, db=db).flushdb()


def drop_database(services, name):
    with admin_connection(services) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(services, name, template=None):
    drop_database(services, name)
    with admin_connection(services) as connection:
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{suffix}')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_environment(services, *, smtp_port, web_port):
    """The environment of the bench process and all its children: production settings (DEBUG off)
    on plain http over loopback, mail to the bench's SMTP sink."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": services.pg_url(BENCH_DB),
            "REDIS_URL": services.redis_url(),
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            # Production refuses to start without it (network tokens are stored encrypted).
            "KLARTEXT_FIELD_KEY": env.get("KLARTEXT_FIELD_KEY") or Fernet.generate_key().decode(),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            # Loopback is plain http; everything else stays as in production.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "KLARTEXT_VAR_DIR": str(ROOT / "var" / "bench"),
            "KLARTEXT_SEND_RATE": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env
