"""Engine and sessions: the only place that knows how to open the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from meetings.settings import SettingsError

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "meetings_write"


def normalize_database_url(raw: str) -> URL:
    """Turn the URL people already have into one with the driver this app uses.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``; ``sqlite:///x.db`` stays.
    """
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(f"MEETINGS_DATABASE_URL is not a database URL: {raw!r}") from None
    backend = url.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite")
    raise SettingsError(
        f"MEETINGS_DATABASE_URL must be a sqlite:/// or postgresql:// URL, got one for {backend!r}"
    )


def create_db_engine(raw_url: str, **kwargs: Any) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = normalize_database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling issues BEGIN lazily and not for DDL; take it over so that
    # SQLAlchemy's transactions are real ones (the documented recipe for the sqlite3 driver).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A writing transaction takes the write lock at BEGIN (IMMEDIATE), so two writers wait on the busy
    # timeout instead of one failing with "database is locked" when it upgrades a read lock later.
    # Readers begin DEFERRED so that a long read (an export) never blocks writers under WAL.
    write = connection.get_execution_options().get(WRITE_OPTION, True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """An engine and its session factory, created by the app factory or the CLI."""

    def __init__(self, raw_url: str, **engine_kwargs: Any) -> None:
        self.engine = create_db_engine(raw_url, **engine_kwargs)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.read_session_factory = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: False}), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.url.get_backend_name()

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back when it raises.

        ``write=False`` is for work that only reads: on SQLite it does not take the write lock.
        """
        factory = self.session_factory if write else self.read_session_factory
        with factory() as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            else:
                session.commit()

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
