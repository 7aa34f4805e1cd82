"""Scheduler jobs, run with a time passed in; and the scheduler inside the web process."""

import time as wall_clock
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import func, select

from meetings.app import create_app
from meetings.domain.demo import seed_demo
from meetings.jobs import prepare_occurrences
from meetings.models import Meeting, MeetingSeries
from meetings.settings import Settings
from tests.conftest import EMAIL_SECRET

SEEDED = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)



def _occurrences(db):
    with db.session() as session:
        return list(session.scalars(select(Meeting.starts_at).join(MeetingSeries).order_by(Meeting.starts_at)))


def test_prepare_creates_the_next_occurrence_once_the_last_is_over(db):
    with db.session() as session:
        seed_demo(session, SEEDED)
    assert prepare_occurrences(db, SEEDED).created == 0  # today's 1-on-1 is still to come
    later = SEEDED + timedelta(days=1)
    report = prepare_occurrences(db, later)
    assert report.created == 1
    assert prepare_occurrences(db, later).created == 0  # idempotent
    starts = _occurrences(db)
    assert starts[-1] - starts[-2] == timedelta(days=7)


def test_the_web_process_runs_the_scheduler_when_asked(tmp_path, database_url, db):
    with db.session() as session:
        seed_demo(session, SEEDED)
    settings = Settings.from_mapping({"data_dir": tmp_path, "database_url": database_url, "scheduler": True})
    app = create_app(settings, clock=lambda: SEEDED + timedelta(days=1))
    with TestClient(app):
        deadline = wall_clock.monotonic() + 10
        while len(_occurrences(db)) < 3 and wall_clock.monotonic() < deadline:
            wall_clock.sleep(0.05)  # waiting for the scheduler's thread, not for time to pass
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting).join(MeetingSeries)) == 3


def test_the_scheduler_retries_the_outbox_without_any_request(tmp_path, database_url, db):
    from meetings.domain.accounts import request_password_reset
    from meetings.integrations.email_templates import JinjaEmailComposer
    from meetings.models import OutboxMessage, OutboxStatus

    with db.session() as session:
        seed_demo(session, SEEDED)
        request_password_reset(session, JinjaEmailComposer("http://x", EMAIL_SECRET), "leo@example.com", SEEDED)
    settings = Settings.from_mapping({"data_dir": tmp_path, "database_url": database_url, "scheduler": True})
    with TestClient(create_app(settings, clock=lambda: SEEDED)):
        deadline = wall_clock.monotonic() + 10
        while wall_clock.monotonic() < deadline:
            with db.session() as session:
                if session.scalars(select(OutboxMessage.status).where(
                        OutboxMessage.kind == "password_reset")).one() is OutboxStatus.KEPT:
                    break
            wall_clock.sleep(0.05)  # waiting for the scheduler's thread, not for time to pass
    with db.session() as session:
        reset = select(OutboxMessage.status).where(OutboxMessage.kind == "password_reset")
        assert session.scalars(reset).one() is OutboxStatus.KEPT  # no SMTP: the mailbox
