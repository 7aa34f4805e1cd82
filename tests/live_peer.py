"""A live-notes client in Python (pycrdt), speaking the meeting socket's protocol as the page does.

``LivePeer`` works over any object with ``send_text(str)`` and ``receive_text(timeout)``: Litestar's
test sessions, or the ``websockets`` client against real server processes.
"""

from __future__ import annotations

import base64
import json
import queue
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Text


class LivePeer:
    def __init__(self, send: Callable[[str], None], receive: Callable[[float], str], doc: Doc | None = None) -> None:
        self._send, self._receive = send, receive
        self.doc = doc or Doc()
        self.text = self.doc.get("body", type=Text)
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self._send(json.dumps(message))

    def next(self, kind: str, timeout: float = 5.0,
             where: Callable[[dict[str, Any]], bool] = lambda message: True) -> dict[str, Any]:
        """The next message of ``kind`` (for which ``where`` holds); remote note updates met on the
        way are merged."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind!r} message; saw {[m.get('type') for m in self.seen]}")
            try:
                message = json.loads(self._receive(left))
            except queue.Empty:
                raise TimeoutError(f"no {kind!r} message; saw {[m.get('type') for m in self.seen]}") from None
            self.seen.append(message)
            if message.get("type") == "update":
                self.doc.apply_update(base64.b64decode(message["update"]))
            if message.get("type") == kind and where(message):
                return message

    def people(self, names: list[str], timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait for the presence list to name exactly ``names``."""
        return self.next("presence", timeout, lambda m: [p["name"] for p in m["people"]] == names)["people"]

    def sync(self, scope: str = "shared") -> None:
        """The sync handshake: take what the server has, then send what it lacks."""
        self.send({"type": "sync", "scope": scope, "sv": base64.b64encode(self.doc.get_state()).decode()})
        answer = self.next("sync")
        self.doc.apply_update(base64.b64decode(answer["update"]))
        mine = self.doc.get_update(base64.b64decode(answer["sv"]))
        if len(mine) > 2:  # an empty update is two zero bytes
            self.send({"type": "update", "scope": scope, "update": base64.b64encode(mine).decode()})
            self.next("saved")

    def insert(self, index: int, value: str, scope: str = "shared", send: bool = True) -> bytes:
        """Type ``value`` at ``index`` (characters of ASCII text) and send the update (unless offline)."""
        before = self.doc.get_state()
        self.text.insert(index, value)
        update = self.doc.get_update(before)
        if send:
            self.send({"type": "update", "scope": scope, "update": base64.b64encode(update).decode()})
        return update

    @property
    def value(self) -> str:
        return str(self.text)
