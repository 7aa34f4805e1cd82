"""Benchmark: the time from one person's change to a shared note until it reaches everyone else.

Usage: python bench/live_fanout.py [--viewers 50] [--changes 200] [--processes 1] [--database-url URL]
                                   [--broker-url URL]
Starts the app in uvicorn subprocesses (as `meetings serve` does), opens 1 + N live sockets on one
meeting (spread over the processes), and has the first one type ``--changes`` times, one change after
the other arrived. Each change goes the whole way: the socket, the merge into the stored note (a
committed transaction that locks the row), the broker, and a send to each of the N others. Prints
the median and 99th percentile of the per-viewer latency, and of the time until the last viewer
has it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pycrdt import Doc, Text
from websockets.asyncio.client import connect

from meetings.db import Database
from meetings.domain.sessions import start_session
from meetings.migrate import upgrade
from meetings.models import Meeting, MeetingAttendee, User, Visibility


def seed(database: Database, viewers: int) -> tuple[int, list[str]]:
    """A meeting with 1 + viewers attendees, each signed in; the meeting's id and the cookies."""
    now = datetime.now(UTC)  # the server processes check sessions against the real clock
    with database.session() as session:
        users = [User(email=f"viewer{n}@example.com", name=f"Viewer {n:03d}", time_zone="UTC")
                 for n in range(viewers + 1)]
        session.add_all(users)
        session.flush()
        meeting = Meeting(uid=f"bench-live-{time.time_ns()}", title="Live benchmark", starts_at=now,
                          duration_minutes=60, time_zone="UTC", organizer_id=users[0].id,
                          visibility=Visibility.ATTENDEES)
        session.add(meeting)
        session.flush()
        session.add_all(MeetingAttendee(meeting_id=meeting.id, user_id=u.id) for u in users)
        cookies = [start_session(session, u, now, timedelta(days=1)) for u in users]
        return meeting.id, cookies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "meetings.app:create_app_from_env", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


async def run(bases: list[str], meeting_id: int, cookies: list[str], changes: int) -> tuple[list[float], list[float]]:
    sockets = []
    for n, cookie in enumerate(cookies):
        base = bases[n % len(bases)]
        sockets.append(await connect(base.replace("http", "ws", 1) + f"/meetings/{meeting_id}/live",
                                     additional_headers={"Cookie": f"meetings_session={cookie}", "Origin": base},
                                     max_size=2**22))
    sender, viewers = sockets[0], sockets[1:]
    # Everyone is in (the presence list names all), then the sender syncs its copy of the note.
    expected = len(sockets)

    async def until_all_present(ws) -> None:  # noqa: ANN001
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "presence" and len(message["people"]) == expected:
                return

    await asyncio.gather(*(until_all_present(ws) for ws in sockets))
    doc = Doc()
    text = doc.get("body", type=Text)
    await sender.send(json.dumps({"type": "sync", "scope": "shared", "sv": base64.b64encode(doc.get_state()).decode()}))
    while (answer := json.loads(await sender.recv()))["type"] != "sync":
        pass
    doc.apply_update(base64.b64decode(answer["update"]))

    latencies: list[float] = []
    everyone: list[float] = []
    arrived: list[float] = []
    all_in = asyncio.Event()
    sent_at = 0.0

    async def listen(ws) -> None:  # noqa: ANN001
        async for raw in ws:
            if json.loads(raw)["type"] == "update":
                arrived.append(time.perf_counter())
                if len(arrived) == len(viewers):
                    all_in.set()

    listeners = [asyncio.create_task(listen(ws)) for ws in viewers]
    drain = asyncio.create_task(listen_sender(sender))
    for n in range(changes):
        before = doc.get_state()
        text.insert(len(str(text)), f"{n} ")
        update = doc.get_update(before)
        arrived.clear()
        all_in.clear()
        sent_at = time.perf_counter()
        await sender.send(json.dumps({"type": "update", "scope": "shared", "update": base64.b64encode(update).decode()}))
        await asyncio.wait_for(all_in.wait(), timeout=30)
        latencies.extend(t - sent_at for t in arrived)
        everyone.append(max(arrived) - sent_at)
        await asyncio.sleep(0.03)  # a person types a few characters a second; stay under the rate limit
    for task in [*listeners, drain]:
        task.cancel()
    for ws in sockets:
        await ws.close()
    return latencies, everyone


async def listen_sender(ws) -> None:  # noqa: ANN001
    async for _ in ws:  # "saved" answers; read so that they never pile up
        pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=50, help="people who receive each change (default 50)")
    parser.add_argument("--changes", type=int, default=200, help="changes to send (default 200)")
    parser.add_argument("--processes", type=int, default=1, help="server processes (more need --broker-url)")
    parser.add_argument("--database-url", default="", help="an empty database (default: SQLite in a temp folder)")
    parser.add_argument("--broker-url", default="", help="MEETINGS_BROKER_URL (default: in memory)")
    args = parser.parse_args()
    if args.processes > 1 and not args.broker_url:
        parser.error("several processes need --broker-url")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        database = Database(url)
        upgrade(database.engine)
        meeting_id, cookies = seed(database, args.viewers)
        database.dispose()
        env = {"MEETINGS_DATABASE_URL": url, "MEETINGS_BROKER_URL": args.broker_url, "MEETINGS_SCHEDULER": "false",
               "MEETINGS_DATA_DIR": folder, "MEETINGS_SECRET_KEY": "b" * 40, "MEETINGS_LOG_LEVEL": "WARNING"}
        servers = [serve(env) for _ in range(args.processes)]
        try:
            latencies, everyone = asyncio.run(run([b for _, b in servers], meeting_id, cookies, args.changes))
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(10)
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    broker = args.broker_url.split(":", 1)[0] if args.broker_url else "memory"
    print(f"{args.changes} changes to {args.viewers} viewers, {args.processes} process(es), {backend}, broker {broker}")
    print(f"  per viewer:        median {statistics.median(latencies) * 1000:6.1f} ms   "
          f"p99 {percentile(latencies, 0.99) * 1000:6.1f} ms")
    print(f"  until all {args.viewers} have it: median {statistics.median(everyone) * 1000:6.1f} ms   "
          f"p99 {percentile(everyone, 0.99) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
