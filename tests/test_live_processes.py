"""Two server processes (uvicorn subprocesses) on one PostgreSQL database: live changes cross from one
to the other through the configured broker, Redis pub/sub or PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
import redis
from sqlalchemy import select
from websockets.sync.client import connect

from meetings.db import Database
from meetings.domain.demo import seed_demo
from meetings.migrate import upgrade
from meetings.models import Meeting, Note
from tests.conftest import DEMO_PASSWORD, FIXED_NOW, skip_or_fail
from tests.live_peer import LivePeer

REDIS_URL = os.environ.get("MEETINGS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(stack: ExitStack, env: dict[str, str]) -> str:
    """A server process of its own; its base URL once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "meetings.app:create_app_from_env", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stack.callback(lambda: (process.terminate(), process.wait(10)))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stdout.read().decode()}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def session_cookie(base: str, email: str) -> str:
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)
        client.post("/signin", data={"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token})
        return client.cookies["meetings_session"]


def open_live(stack: ExitStack, base: str, meeting_id: int, cookie: str) -> LivePeer:
    ws = stack.enter_context(connect(
        base.replace("http://", "ws://") + f"/meetings/{meeting_id}/live",
        additional_headers={"Cookie": f"meetings_session={cookie}", "Origin": base}, open_timeout=10))
    return LivePeer(ws.send, lambda timeout: ws.recv(timeout=timeout))


@pytest.fixture
def shared_database(postgres_server) -> Iterator[tuple[str, int]]:
    if postgres_server is None:
        skip_or_fail("PostgreSQL not reachable")
    url = postgres_server.create_database("meetings_live")
    database = Database(url)
    upgrade(database.engine)
    with database.session() as session:
        seed_demo(session, FIXED_NOW)
    with database.session() as session:
        planning = session.scalars(select(Meeting.id).where(Meeting.title == "Sprint 42 planning")).one()
    database.dispose()
    yield url, planning


@pytest.mark.parametrize("broker", ["redis", "postgresql"])
def test_two_processes_share_presence_notes_and_changes(shared_database, tmp_path, broker):
    url, planning = shared_database
    if broker == "redis":
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError:
            skip_or_fail(f"Redis not reachable at {REDIS_URL}")
        broker_url = f"{REDIS_URL}?channel=test-{uuid.uuid4().hex}"  # other test runs may share the server
    else:
        broker_url = url
    env = {"MEETINGS_DATABASE_URL": url, "MEETINGS_BROKER_URL": broker_url, "MEETINGS_SCHEDULER": "false",
           "MEETINGS_SECRET_KEY": "x" * 40, "MEETINGS_DATA_DIR": str(tmp_path)}
    with ExitStack() as stack:
        first, second = serve(stack, env), serve(stack, env)
        maya = open_live(stack, first, planning, session_cookie(first, "maya@example.com"))
        maya.people(["Maya Chen"])
        leo = open_live(stack, second, planning, session_cookie(second, "leo@example.com"))
        maya.people(["Leo Park", "Maya Chen"])  # Leo is on the other process
        leo.people(["Leo Park", "Maya Chen"])
        maya.sync()
        leo.sync()
        # Both type at once, each on their own process.
        for word in ("alpha ", "beta ", "gamma "):
            maya.insert(0, word.upper())
            leo.insert(len(leo.value), word)
        for _ in range(3):
            maya.next("saved")
            leo.next("saved")
        # A large paste (over PostgreSQL's NOTIFY limit: sent by reference there).
        paste = "lorem ipsum " * 1200
        leo.insert(0, paste)
        leo.next("saved")
        deadline = time.monotonic() + 10
        while maya.value != leo.value and time.monotonic() < deadline:
            for peer in (maya, leo):
                try:
                    peer.next("update", timeout=0.3)
                except TimeoutError:
                    pass
        assert maya.value == leo.value
        for text in ("ALPHA ", "BETA ", "GAMMA ", "alpha ", "beta ", "gamma ", paste):
            assert text in maya.value
        # A form post on one process reaches the pages on the other.
        with httpx.Client(base_url=second, cookies={"meetings_session": session_cookie(second, "leo@example.com")}) \
                as client:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(f"/meetings/{planning}").text)[1]
            answer = client.post(f"/meetings/{planning}/decisions", data={"decision": "Ship", "_csrf_token": token})
            assert answer.status_code == 303
        maya.next("changed")
    database = Database(url)
    with database.session() as session:
        assert session.scalars(select(Note.body).where(Note.meeting_id == planning, Note.scope == "shared")).one() \
            == maya.value
    database.dispose()
