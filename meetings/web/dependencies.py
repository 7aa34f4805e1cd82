"""Request-scoped dependencies shared by every controller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime

from anyio.to_thread import run_sync
from litestar import Request
from sqlalchemy.orm import Session

from meetings.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def provide_db_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the handler returns (redirects included), rolled
    back when it raises, so a failed request never leaves anything half-saved. The blocking
    commit runs in a worker thread, like the sync handlers that use the session."""
    database: Database = request.app.state.db
    factory = database.session_factory if request.method not in SAFE_METHODS else database.read_session_factory
    session = factory()
    try:
        yield session
    except BaseException:
        await run_sync(session.rollback)
        raise
    else:
        await run_sync(session.commit)
    finally:
        await run_sync(session.close)


def provide_now(request: Request) -> datetime:
    """The current time from the app's clock (tests pass a fixed clock to ``create_app``)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()
