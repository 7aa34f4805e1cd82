"""Benchmark: stream N outstanding action items to CSV, as `meetings export action-items` does.

Usage: python bench/export_csv.py [--rows N] [--database-url URL]
Prints rows per second and the peak Python memory of the export (tracemalloc), which must not grow
with N: the export reads batches from a server-side cursor and writes them as they come.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, text

from meetings.db import Database
from meetings.domain.action_item_export import EXPORT_COLUMNS, ActionItemFilter, export_rows
from meetings.integrations.csv_export import csv_chunks
from meetings.migrate import upgrade
from meetings.models import ActionItem, ActionItemStatus, Meeting, User

NOW = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)


def seed(database: Database, rows: int) -> None:
    with database.session() as session:
        user = User(email="bench@example.com", name="Bench", time_zone="UTC")
        session.add(user)
        session.flush()
        meeting = Meeting(uid="bench", title="Bench meeting", starts_at=NOW, duration_minutes=30, time_zone="UTC",
                          organizer_id=user.id)
        session.add(meeting)
        session.flush()
        batch = [{"title": f"Action item {n}", "description": "Follow up with the customer about the renewal.",
                  "meeting_id": meeting.id, "assignee_id": user.id, "due_date": date(2026, 4, 1 + n % 28),
                  "status": ActionItemStatus.OPEN, "created_at": NOW, "updated_at": NOW, "version": 1,
                  "overdue_reminders_sent": 0} for n in range(10_000)]
        for start in range(0, rows, len(batch)):
            session.execute(insert(ActionItem), batch[: min(len(batch), rows - start)])


def export(database: Database, out: Path) -> None:
    with database.session(write=False) as session, out.open("w", encoding="utf-8", newline="") as target:
        rows = export_rows(session, ActionItemFilter(scope="all", status="open"), None, NOW.date(), "http://x")
        for chunk in csv_chunks(EXPORT_COLUMNS, rows):
            target.write(chunk)


def run(database: Database, out: Path) -> tuple[int, float, int]:
    """Time one export, then measure the memory of a second one (tracemalloc slows Python down)."""
    started = time.perf_counter()
    export(database, out)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    export(database, out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    with out.open(encoding="utf-8") as written:
        count = sum(1 for _ in written) - 1
    return count, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="action items to export [200000]")
    parser.add_argument("--database-url", default="", help="an empty database to use [a temporary SQLite file]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        database = Database(url)
        upgrade(database.engine)
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM action_items"))
        seed(database, args.rows)
        count, elapsed, peak = run(database, Path(folder) / "export.csv")
        database.dispose()
    print(f"backend: {url.split(':')[0]}  rows: {count:,}  time: {elapsed:.2f} s  "
          f"rate: {count / elapsed:,.0f} rows/s  peak Python memory: {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
