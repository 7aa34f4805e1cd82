"""Several scheduler processes at once: every reminder is queued once and delivered once.

Two threads stand for two worker processes: each has its own connections and transactions, which
is what matters to the database (PostgreSQL: unique idempotency keys, FOR UPDATE SKIP LOCKED).
"""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select

from meetings.db import Database
from meetings.integrations.email_delivery import SmtpTransport, deliver_pending
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.jobs import send_reminders
from meetings.models import ActionItem, ActionItemStatus, Meeting, OutboxMessage, OutboxStatus, User
from tests.conftest import EMAIL_SECRET
from tests.smtp_server import SmtpServer

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # 09:00 and later in Europe; due reminders are due
COUNT = 2000


@pytest.fixture
def many_due(db, backend):
    with db.session() as session:
        user = User(email="busy@example.com", name="Busy", time_zone="Europe/Berlin")
        session.add(user)
        session.flush()
        meeting = Meeting(uid="m", title="Planning", starts_at=datetime(2026, 3, 1, tzinfo=UTC), duration_minutes=30,
                          time_zone="UTC", organizer_id=user.id)
        session.add(meeting)
        session.flush()
        session.execute(insert(ActionItem), [
            {"title": f"Task {n}", "description": "", "assignee_id": user.id, "meeting_id": meeting.id,
             "due_date": date(2026, 4, 2), "status": ActionItemStatus.OPEN, "version": 1,
             "overdue_reminders_sent": 0, "created_at": NOW, "updated_at": NOW} for n in range(COUNT)])
    return COUNT


def _in_parallel(*jobs):
    errors = []

    def run(job):
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors


def test_two_schedulers_queue_each_reminder_once(database_url, db, many_due):
    composer = JinjaEmailComposer("https://meet.example.com", EMAIL_SECRET)
    workers = [Database(database_url), Database(database_url)]
    try:
        _in_parallel(*(lambda w=w: send_reminders(w, composer, NOW) for w in workers))
    finally:
        for worker in workers:
            worker.dispose()
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(OutboxMessage))
        distinct = session.scalar(select(func.count(func.distinct(OutboxMessage.idempotency_key))))
    assert total == distinct == many_due


def test_two_deliverers_send_each_message_once(database_url, db, many_due):
    # PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: claims are written under BEGIN IMMEDIATE, one at a time.
    composer = JinjaEmailComposer("https://meet.example.com", EMAIL_SECRET)
    send_reminders(db, composer, NOW)
    server = SmtpServer()
    server.start()
    workers = [Database(database_url), Database(database_url)]
    try:
        transport = SmtpTransport(server.url, timeout=30)
        _in_parallel(*(lambda w=w: [deliver_pending(w, transport, "m@example.com", NOW, limit=250) for _ in range(6)]
                       for w in workers))
    finally:
        server.stop()
        for worker in workers:
            worker.dispose()
    ids = [m["Message-ID"] for m in server.handler.messages]
    assert len(ids) == len(set(ids)) == many_due
    with db.session() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}
