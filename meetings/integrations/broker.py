"""Brokers that carry live events between server processes, chosen by ``MEETINGS_BROKER_URL``.

Every process publishes each event to the broker and forwards what the broker delivers to its own
sockets (its own events included), so that one code path serves one process or many:
- ``MemoryBroker``: in the process only (empty setting; the embedded default).
- ``RedisBroker``: Redis pub/sub through redis-py's asyncio client.
- ``PostgresBroker``: PostgreSQL LISTEN/NOTIFY through psycopg's async connections. NOTIFY payloads
  are limited to 8000 bytes; ``max_payload`` tells the hub to send larger events by reference.
The channel is ``meetings_live``; ``?channel=NAME`` on the URL names another, so that several
installations can share one Redis (Redis channels are server-wide, PostgreSQL's are per database).
A broker that loses its connection reconnects by itself; events published meanwhile are lost, which
the live clients survive (they sync their documents again on every reconnect).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import redis.asyncio as redis
from psycopg import sql

CHANNEL = "meetings_live"
RETRY_SECONDS = 1.0

Deliver = Callable[[str], Awaitable[None]]
log = logging.getLogger(__name__)


class Broker(Protocol):
    """Publishes text events and delivers every event published by any process to ``deliver``."""

    max_payload: int | None

    async def start(self, deliver: Deliver) -> None: ...

    async def publish(self, payload: str) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    """Within one process: publishing is delivering."""

    max_payload: int | None = None

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, payload: str) -> None:
        if self._deliver is not None:
            await self._deliver(payload)

    async def close(self) -> None:
        self._deliver = None


async def _safe_deliver(deliver: Deliver, payload: str) -> None:
    try:
        await deliver(payload)
    except Exception:  # one bad event must never stop the listener
        log.exception("a live event could not be delivered")


class RedisBroker:
    """Redis pub/sub on one channel."""

    max_payload: int | None = None

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._client = redis.Redis.from_url(url)
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, deliver: Deliver) -> None:
        self._task = asyncio.create_task(self._listen(deliver))
        with contextlib.suppress(TimeoutError):  # not reachable yet: keep trying in the background
            await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def _listen(self, deliver: Deliver) -> None:
        while True:
            try:
                async with self._client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await _safe_deliver(deliver, message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Redis broker: %s; reconnecting", exc)
                await asyncio.sleep(RETRY_SECONDS)

    async def publish(self, payload: str) -> None:
        await self._client.publish(self._channel, payload)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()


class PostgresBroker:
    """LISTEN/NOTIFY: one connection listens, another publishes."""

    max_payload: int | None = 7000  # below PostgreSQL's 8000-byte NOTIFY limit, with room for the JSON

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._publisher: psycopg.AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def start(self, deliver: Deliver) -> None:
        self._task = asyncio.create_task(self._listen(deliver))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def _listen(self, deliver: Deliver) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    self._ready.set()
                    async for notify in conn.notifies():
                        await _safe_deliver(deliver, notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("PostgreSQL broker: %s; reconnecting", exc)
                await asyncio.sleep(RETRY_SECONDS)

    async def publish(self, payload: str) -> None:
        async with self._lock:  # one connection, one statement at a time
            for attempt in (1, 2):
                try:
                    if self._publisher is None or self._publisher.closed:
                        self._publisher = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
                    await self._publisher.execute("SELECT pg_notify(%s, %s)", (self._channel, payload))
                    return
                except psycopg.OperationalError:
                    self._publisher = None
                    if attempt == 2:
                        raise

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._publisher is not None:
            await self._publisher.close()


def split_channel(url: str) -> tuple[str, str]:
    """The URL without its ``channel`` query parameter, and the channel (``meetings_live`` by default)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    channel = next((v for k, v in query if k == "channel"), "") or CHANNEL
    rest = urlencode([(k, v) for k, v in query if k != "channel"])
    return urlunsplit(parts._replace(query=rest)), channel


def broker_for(url: str) -> Broker:
    """The broker that ``MEETINGS_BROKER_URL`` names."""
    if url.startswith(("redis://", "rediss://")):
        return RedisBroker(*split_channel(url))
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return PostgresBroker(*split_channel(url))
    return MemoryBroker()
