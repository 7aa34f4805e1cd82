"""/meetings/{id}/live: the meeting page's WebSocket (presence, live notes, "something changed").

The socket obeys the page's rules: it opens only for a signed-in user who may see the meeting and
only from a page of this site (the Origin header; browsers send cookies with cross-site WebSocket
handshakes). Messages are JSON text, at most ``MAX_MESSAGE`` bytes, at most ``RATE`` a second on
average (bursts of ``BURST``). A client that breaks a rule or sends garbage is closed alone; the
others of the meeting carry on. Messages from the client:
  {"type": "sync", "scope": "shared" | "item:7", "sv": <base64 state vector>}
  {"type": "update", "scope": ..., "update": <base64 Yjs update>}
  {"type": "editing", "field": <id of the field being edited, or "">}
and to it: hello (the connection's id, which the page sends with its form posts as
X-Live-Connection so that it is not told about its own change), sync (what the client lacks, and the server's state vector), update, saved (the note's
version after a merge), presence (who is here), changed (fetch the meeting part again).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from anyio.to_thread import run_sync
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from meetings.db import Database
from meetings.domain import live_notes
from meetings.domain.access import Actor, actor_for, can_see_meeting
from meetings.domain.errors import DomainError, NotFoundError, ValidationError
from meetings.domain.sessions import user_for_session
from meetings.settings import Settings
from meetings.web.auth import SESSION_COOKIE
from meetings.web.live_hub import Connection, LiveHub

MAX_MESSAGE = 512 * 1024  # a whole 100,000-character note as one update, in base64, fits
RATE = 40.0
BURST = 200.0
FIELD_ID = re.compile(r"^[A-Za-z0-9_-]{0,80}$")

# Close codes (4000-4999 are the application's own); refusals before the handshake become HTTP 403.
REFUSED = 4403
GARBAGE = 4400
TOO_FAST = 4429
TOO_BIG = 1009
RECHECK_EVERY = 60.0  # seconds between checks that the session and the meeting's visibility still hold


class Garbage(Exception):
    """The client sent something that is not a message of this protocol."""


class TokenBucket:
    """``rate`` messages a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.last = rate, burst, burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def origin_allowed(socket: WebSocket[Any, Any, Any], settings: Settings) -> bool:
    """The page that opens the socket must be ours: the public URL, or the host the socket was opened on."""
    origin = socket.headers.get("origin", "")
    if not origin:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"}:
        return False
    public = urlsplit(settings.base_url)
    if (parts.scheme, parts.netloc) == (public.scheme, public.netloc):
        return True
    return parts.netloc == socket.headers.get("host", "")


def _who(database: Database, settings: Settings, raw_session: str, meeting_id: int, now: Any) -> tuple[Actor, str]:
    with database.session() as session:
        user = user_for_session(session, raw_session, now, timedelta(days=settings.session_days))
        if user is None:
            raise NotFoundError("session")
        actor = actor_for(session, user)
        if not can_see_meeting(session, actor, meeting_id):
            raise NotFoundError(f"meeting {meeting_id}")
        return actor, user.name


def _field(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    if not isinstance(value, str):
        raise Garbage(name)
    return value


def _b64(message: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(_field(message, name), validate=True)
    except (binascii.Error, ValueError):
        raise Garbage(name) from None


@websocket("/meetings/{meeting_id:int}/live", name="meeting_live")
async def meeting_live(socket: WebSocket[Any, Any, Any], meeting_id: FromPath[int]) -> None:
    """Presence, live notes and change events of one meeting."""
    settings: Settings = socket.app.state.settings
    database: Database = socket.app.state.db
    hub: LiveHub = socket.app.state.live
    raw_session = socket.cookies.get(SESSION_COOKIE, "")
    try:
        if not raw_session or not origin_allowed(socket, settings):
            raise NotFoundError("session")
        actor, name = await run_sync(_who, database, settings, raw_session, meeting_id, socket.app.state.clock())
    except NotFoundError:
        await socket.receive()  # the handshake; closing before accepting answers it with 403
        await socket.close(code=REFUSED)
        return
    await socket.accept()
    connection = Connection(meeting_id=meeting_id, user_id=actor.user_id, name=name)
    connection.send({"type": "hello", "connection": connection.id})  # the page names it in its form posts
    writer = asyncio.create_task(_write(socket, connection))
    watcher = asyncio.create_task(_watch(socket, connection, raw_session))
    await hub.join(connection)
    try:
        await _read(socket, connection, actor, database, hub)
    except WebSocketDisconnect:
        pass
    finally:
        watcher.cancel()
        await hub.leave(connection)
        connection.close()
        await writer


async def _watch(socket: WebSocket[Any, Any, Any], connection: Connection, raw_session: str) -> None:
    """Close the socket once its person signs out, is deactivated or may no longer see the meeting:
    a page left open must not keep receiving the meeting's notes."""
    while True:
        await asyncio.sleep(RECHECK_EVERY)
        try:
            await run_sync(_who, socket.app.state.db, socket.app.state.settings, raw_session,
                           connection.meeting_id, socket.app.state.clock())
        except NotFoundError:
            return _refuse(connection, REFUSED, "signed out or no longer allowed to see this meeting")


async def _write(socket: WebSocket[Any, Any, Any], connection: Connection) -> None:
    """Send what the hub queued for this socket, one message at a time, until told to close."""
    try:
        while isinstance(message := await connection.outbox.get(), str):
            await socket.send_text(message)
        await socket.close(code=message)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away; the reader notices too


async def _read(socket: WebSocket[Any, Any, Any], connection: Connection, actor: Actor, database: Database,
                hub: LiveHub) -> None:
    bucket = TokenBucket(RATE, BURST)
    while True:
        event = await socket.receive()
        if event["type"] == "websocket.disconnect":
            return
        text = event.get("text")
        if text is None:
            return _refuse(connection, GARBAGE, "text messages only")
        if len(text) > MAX_MESSAGE:
            return _refuse(connection, TOO_BIG, "message too large")
        if not bucket.take():
            return _refuse(connection, TOO_FAST, "too many messages")
        message: Any = None
        try:
            message = json.loads(text)
            await _handle(message, connection, actor, database, hub)
        except (Garbage, ValueError, KeyError, TypeError, AttributeError):
            return _refuse(connection, GARBAGE, "not a message of this protocol")
        except ValidationError as exc:
            if "body" not in exc.errors:  # an update or state vector that Yjs cannot read
                return _refuse(connection, GARBAGE, "not a message of this protocol")
            connection.send({"type": "error", "message": exc.errors["body"]})
        except live_notes.OutOfOrder:  # nothing was stored; the client sends it all again with a sync
            connection.send({"type": "resync", "scope": message.get("scope", "")})
        except DomainError as exc:  # e.g. the topic was removed meanwhile
            connection.send({"type": "error", "message": str(exc)})


def _refuse(connection: Connection, code: int, reason: str) -> None:
    connection.send({"type": "error", "message": reason, "code": code})
    connection.close(code)


async def _handle(message: dict[str, Any], connection: Connection, actor: Actor, database: Database,
                  hub: LiveHub) -> None:
    kind = _field(message, "type")
    meeting_id = connection.meeting_id
    if kind == "editing":
        what = _field(message, "field")
        if not FIELD_ID.match(what):
            raise Garbage("field")
        await hub.editing(connection, what)
    elif kind == "sync":
        scope, state_vector = _field(message, "scope"), _b64(message, "sv")
        missing, server_vector = await run_sync(_in_session, database, live_notes.sync, actor, meeting_id, scope,
                                                state_vector)
        connection.send({"type": "sync", "scope": scope, "update": base64.b64encode(missing).decode(),
                         "sv": base64.b64encode(server_vector).decode()})
    elif kind == "update":
        scope, update = _field(message, "scope"), _b64(message, "update")
        merged = await run_sync(_in_session, database, live_notes.merge_update, actor, meeting_id, scope, update)
        connection.send({"type": "saved", "scope": scope, "version": merged.version})
        await hub.note_update(meeting_id, scope, update, origin=connection.id)
    else:
        raise Garbage("type")


def _in_session(database: Database, action: Any, *args: Any) -> Any:
    with database.session() as session:  # committed before anyone is told
        return action(session, *args)
