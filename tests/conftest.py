"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, an app, a client, a fixed clock.

Every test that asks for ``database_url`` (directly or through ``app``, ``client`` or ``db``) runs
once per backend. PostgreSQL is used when it answers at MEETINGS_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test); locally its tests are skipped with the reason when it
does not, and under CI=true that is a failure instead.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from meetings.app import create_app
from meetings.db import Database
from meetings.migrate import upgrade
from meetings.models import Base
from meetings.settings import Settings

# Real peers as fixtures: `receiver` (an HTTP server for webhooks) and `smtp` (an SMTP server).
pytest_plugins = ["tests.webhook_receiver", "tests.smtp_server"]

# Saturday 28 March 2026, 11:00 UTC: the day before Europe's switch to summer time.
FIXED_NOW = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]
POSTGRES_URL = os.environ.get("MEETINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; under CI a missing service must fail the run, never hide tests."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


class PostgresServer:
    """Creates throwaway databases on the test PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        u = self.url
        return psycopg.connect(
            host=u.host, port=u.port or 5432, user=u.username, password=u.password, dbname=u.database,
            autocommit=True, connect_timeout=3,
        )

    def create_database(self, prefix: str) -> str:
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    server = PostgresServer(POSTGRES_URL)
    try:
        server._admin().close()
    except psycopg.OperationalError as exc:
        server = None
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {str(exc).strip().splitlines()[0]}"
        os.environ["MEETINGS_TEST_POSTGRES_MISSING"] = reason
    yield server
    if server is not None:
        server.drop_all()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "meetings.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()  # the last connection to close checkpoints the WAL into the main file
    assert not path.with_name("meetings.db-wal").exists()
    return path


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_server: PostgresServer | None) -> str | None:
    if postgres_server is None:
        return None
    url = postgres_server.create_database("meetings_test")
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url


def _truncate_all(url: str) -> None:
    database = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on."""
    return request.param


@pytest.fixture
def database_url(
    backend: str,
    tmp_path: Path,
    migrated_sqlite_template: Path,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """A migrated, empty database for this test alone."""
    if backend == "sqlite":
        path = tmp_path / "meetings.db"
        shutil.copyfile(migrated_sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("migrated_postgres_url")
    if url is None:
        skip_or_fail(os.environ.get("MEETINGS_TEST_POSTGRES_MISSING", "PostgreSQL not reachable"))
    yield url
    _truncate_all(url)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no tables at all, for migration tests."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server = request.getfixturevalue("postgres_server")
    if server is None:
        skip_or_fail(os.environ.get("MEETINGS_TEST_POSTGRES_MISSING", "PostgreSQL not reachable"))
    return server.create_database("meetings_empty")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # The scheduler's jobs are tested by calling them with a time; no background thread in tests.
    return Settings.from_mapping({"data_dir": tmp_path / "data", "database_url": database_url, "scheduler": False})


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """Direct access to the test database, for arranging data and checking results."""
    database = Database(database_url)
    yield database
    database.dispose()


class Clock:
    """The app's clock in tests: fixed at FIXED_NOW until a test moves it."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Litestar:
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def demo(db: Database) -> None:
    """The demo workspace, seeded as of FIXED_NOW."""
    from meetings.domain.demo import seed_demo

    with db.session() as session:
        seed_demo(session, FIXED_NOW)


DEMO_PASSWORD = "meetings-demo"
EMAIL_SECRET = "test-secret-0123456789abcdef0123456789"  # signs unsubscribe links in emails built by tests


def csrf_token(client: TestClient[Litestar], path: str = "/signin") -> str:
    """The CSRF token a page embeds in its forms (and sets as a cookie) for this client."""
    match = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient[Litestar], email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a browser would."""
    response = client.post(
        "/signin",
        data={"email": email, "password": password, "next": "/", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_form(client: TestClient[Litestar], path: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    """POST a form with a valid CSRF token."""
    token = csrf_token(client, kwargs.pop("token_from", "/signin"))
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False, **kwargs)


@pytest.fixture
def maya(client: TestClient[Litestar], demo: None) -> TestClient[Litestar]:
    """A client signed in as Maya, the demo workspace's admin (Platform's manager)."""
    sign_in(client, "maya@example.com")
    return client
