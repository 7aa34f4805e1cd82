"""The live hub of one server process: its open meeting sockets, who is where, and the broker.

Every event goes through the broker (integrations/broker.py), even in a single process, and each
process forwards what the broker delivers to its own sockets. Events are small JSON objects:
  here     a connection is on a meeting page (and what it edits); ``ask`` makes each process answer
  roster   with its own connections of that meeting, so that a newcomer learns who is there
  gone     a connection left
  update   a merged Yjs update of a shared note (base64), forwarded to everyone but its sender
  noteref  the same by reference (too large for the broker): receivers read the note's stored state
  changed  a record of the meeting changed: pages fetch the re-rendered meeting part
Each process re-announces its connections every ``HEARTBEAT`` seconds and forgets those it has not
heard of for ``EXPIRY`` seconds, so a process that died does not leave ghosts in the presence list.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meetings.integrations.broker import Broker

HEARTBEAT = 20.0
EXPIRY = 65.0
ROSTER_CHUNK = 20
QUEUE_LIMIT = 500
SLOW = 1013  # "try again later": the client reconnects and syncs what it missed  # events waiting for one slow socket; past that it is dropped (it resyncs on reconnect)

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Connection:
    """One open meeting page in this process. The socket's writer task drains ``outbox``."""

    meeting_id: int
    user_id: int
    name: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    editing: str = ""
    outbox: asyncio.Queue[str | int] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message for the socket; a socket that does not keep up is closed."""
        try:
            self.outbox.put_nowait(json.dumps(message))
        except asyncio.QueueFull:
            self.close(SLOW)

    def close(self, code: int = 1000) -> None:
        """Ask the writer to close the socket with ``code`` (after what is queued)."""
        with contextlib.suppress(asyncio.QueueFull):
            self.outbox.put_nowait(code)


@dataclass
class Presence:
    user_id: int
    name: str
    editing: str
    seen: float


class LiveHub:
    """Connections of this process, presence of every process, and the broker between them."""

    def __init__(self, broker: Broker, load_note_state: Callable[[int, str], bytes]) -> None:
        self.broker = broker
        self.load_note_state = load_note_state  # (meeting id, scope) -> stored state; runs in a thread
        self.local: dict[int, dict[str, Connection]] = {}
        self.presence: dict[int, dict[str, Presence]] = {}
        self._last_people: dict[int, list[dict[str, Any]]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.broker.start(self._deliver)
        self._heartbeat = asyncio.create_task(self._beat())

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for connections in self.local.values():
            for connection in connections.values():
                connection.close()
        await self.broker.close()

    # -- what sockets and controllers call -------------------------------------------------------

    async def join(self, connection: Connection) -> None:
        self.local.setdefault(connection.meeting_id, {})[connection.id] = connection
        await self._publish(self._here(connection, ask=True))

    async def leave(self, connection: Connection) -> None:
        connections = self.local.get(connection.meeting_id, {})
        connections.pop(connection.id, None)
        if not connections:
            self.local.pop(connection.meeting_id, None)
        await self._publish({"kind": "gone", "meeting": connection.meeting_id, "conn": connection.id})

    async def editing(self, connection: Connection, what: str) -> None:
        if what != connection.editing:
            connection.editing = what
            await self._publish(self._here(connection))

    async def note_update(self, meeting_id: int, scope: str, update: bytes, origin: str) -> None:
        event = {"kind": "update", "meeting": meeting_id, "scope": scope, "origin": origin,
                 "update": base64.b64encode(update).decode()}
        limit = self.broker.max_payload
        if limit is not None and len(json.dumps(event)) > limit:
            event = {"kind": "noteref", "meeting": meeting_id, "scope": scope, "origin": origin}
        await self._publish(event)

    async def note_saved(self, meeting_id: int, scope: str) -> None:
        """A note changed outside the sockets (a plain-form save): everyone merges its stored state."""
        await self._publish({"kind": "noteref", "meeting": meeting_id, "scope": scope, "origin": ""})

    async def changed(self, meeting_id: int, origin: str = "") -> None:
        """``origin``: the socket of the page that made the change (it shows the change already)."""
        await self._publish({"kind": "changed", "meeting": meeting_id, "origin": origin})

    # -- the broker's side -----------------------------------------------------------------------

    async def _publish(self, event: dict[str, Any]) -> None:
        try:
            await self.broker.publish(json.dumps(event))
        except Exception as exc:  # the broker is down: the page still works, clients resync later
            log.warning("live event not published: %s", exc)

    async def _publish_roster(self, meeting_id: int, entries: list[dict[str, Any]]) -> None:
        for start in range(0, len(entries), ROSTER_CHUNK):  # in chunks: NOTIFY payloads are small
            await self._publish({"kind": "roster", "meeting": meeting_id,
                                 "entries": entries[start:start + ROSTER_CHUNK]})

    def _here(self, connection: Connection, ask: bool = False) -> dict[str, Any]:
        return {"kind": "here", "meeting": connection.meeting_id, "conn": connection.id, "ask": ask,
                "user": connection.user_id, "name": connection.name, "editing": connection.editing}

    async def _deliver(self, payload: str) -> None:
        event = json.loads(payload)
        meeting_id = event["meeting"]
        kind = event["kind"]
        local = self.local.get(meeting_id, {})
        if kind == "here":
            self.presence.setdefault(meeting_id, {})[event["conn"]] = Presence(
                event["user"], event["name"], event["editing"], time.monotonic())
            self._send_presence(meeting_id, force=event["ask"])
            others = [self._here(c) for c in local.values() if c.id != event["conn"]]
            if event["ask"] and others:  # one answer per process, not one per connection
                await self._publish_roster(meeting_id, others)
        elif kind == "roster":
            seen = time.monotonic()
            for entry in event["entries"]:
                self.presence.setdefault(meeting_id, {})[entry["conn"]] = Presence(
                    entry["user"], entry["name"], entry["editing"], seen)
            self._send_presence(meeting_id)
        elif kind == "gone":
            self.presence.get(meeting_id, {}).pop(event["conn"], None)
            self._send_presence(meeting_id)
        elif kind == "update":
            self._send_all(local, {"type": "update", "scope": event["scope"], "update": event["update"]},
                           but=event["origin"])
        elif kind == "noteref" and local:
            state = await asyncio.to_thread(self.load_note_state, meeting_id, event["scope"])
            if state:
                self._send_all(local, {"type": "update", "scope": event["scope"],
                                       "update": base64.b64encode(state).decode()}, but=event["origin"])
        elif kind == "changed":
            self._send_all(local, {"type": "changed"}, but=event.get("origin", ""))

    @staticmethod
    def _send_all(local: dict[str, Connection], message: dict[str, Any], but: str = "") -> None:
        for connection in list(local.values()):
            if connection.id != but:
                connection.send(message)

    def people(self, meeting_id: int) -> list[dict[str, Any]]:
        """Who is on the meeting page, once per person, with what each edits (ids of fields)."""
        now = time.monotonic()
        entries = self.presence.get(meeting_id, {})
        for conn in [c for c, p in entries.items() if now - p.seen > EXPIRY]:
            del entries[conn]
        people: dict[int, dict[str, Any]] = {}
        for presence in entries.values():
            person = people.setdefault(presence.user_id, {"id": presence.user_id, "name": presence.name,
                                                          "editing": []})
            if presence.editing and presence.editing not in person["editing"]:
                person["editing"].append(presence.editing)
        return sorted(people.values(), key=lambda p: p["name"].lower())

    def _send_presence(self, meeting_id: int, force: bool = False) -> None:
        local = self.local.get(meeting_id)
        if not local:
            return
        people = self.people(meeting_id)
        if force or people != self._last_people.get(meeting_id):  # heartbeats and rosters are mostly old news
            self._last_people[meeting_id] = people
            self._send_all(local, {"type": "presence", "people": people})

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            for meeting_id, connections in list(self.local.items()):
                entries = [self._here(c) for c in connections.values()]
                await self._publish_roster(meeting_id, entries)
