"""The database layer: SQLite settings, UTC timestamps, and the indexes hot queries rely on."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from meetings.db import Database
from meetings.models import Team, User


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        database.dispose()


def test_timestamps_come_back_aware_in_utc(db):
    berlin = timezone(timedelta(hours=2))
    with db.session() as session:
        session.add(Team(name="Platform", created_at=datetime(2026, 7, 1, 12, 0, tzinfo=berlin)))
    with db.session() as session:
        created = session.scalar(select(Team.created_at))
    assert created == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert created.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"):
        with db.session() as session:
            session.add(Team(name="Platform", created_at=datetime(2026, 7, 1, 12, 0)))
            session.flush()


def test_failed_block_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError):
        with db.session() as session:
            session.add(User(email="a@example.com", name="A"))
            session.flush()
            raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalar(select(User)) is None


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("action_items", ["assignee_id", "status", "due_date"]),  # my open action items by due date
        ("action_items", ["status", "due_date"]),  # due / overdue reminder scan
        ("outbox_messages", ["status", "next_attempt_at"]),  # due deliveries
        ("agenda_items", ["meeting_id", "section_id", "position"]),  # a meeting's agenda in order
        ("agenda_sections", ["meeting_id", "position"]),
        ("meetings", ["starts_at"]),
    ],
)
def test_hot_queries_have_indexes(db, table, columns):
    indexes = [i["column_names"] for i in inspect(db.engine).get_indexes(table)]
    assert columns in indexes
