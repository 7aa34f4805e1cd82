"""Delivering queued email soon after the request that queued it."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from anyio.to_thread import run_sync
from litestar import Litestar
from litestar.background_tasks import BackgroundTask

from meetings.integrations.email_delivery import deliver_pending

logger = logging.getLogger("meetings.email")


async def _deliver(app: Litestar, now: datetime) -> None:
    state: Any = app.state
    try:
        await run_sync(deliver_pending, state.db, state.mail_transport, state.settings.mail_from, now)
    except Exception:  # never let delivery trouble reach the visitor; the outbox keeps the message
        logger.exception("Delivering queued email failed; it stays in the outbox for the next run")


def deliver_soon(app: Litestar, now: datetime) -> BackgroundTask:
    """A task to run after the response is sent (and the request's transaction committed)."""
    return BackgroundTask(_deliver, app, now)
