"""Reminders with the time passed in: due, overdue, before a meeting, recaps; once each, in each
person's own time zone, across daylight-saving changes; delivered to a real SMTP server."""

from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from meetings.cli import main
from meetings.domain.access import actor_for
from meetings.domain.reminders import run_reminders
from meetings.domain.scheduling import end_meeting
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Meeting,
    MeetingAttendee,
    Note,
    NoteVisibility,
    NotificationPreference,
    OutboxMessage,
    User,
)
from tests.conftest import EMAIL_SECRET
from tests.smtp_server import SmtpServer

COMPOSER = JinjaEmailComposer("https://meet.example.com", EMAIL_SECRET)


@pytest.fixture
def world(db):
    """Leo (Berlin) and Priya (New York) with one action item each, due on 2 April 2026."""
    with db.session() as session:
        leo = User(email="leo@example.com", name="Leo", time_zone="Europe/Berlin")
        priya = User(email="priya@example.com", name="Priya", time_zone="America/New_York")
        session.add_all([leo, priya])
        session.flush()
        meeting = Meeting(uid="m1", title="Weekly", starts_at=datetime(2026, 3, 26, 9, tzinfo=UTC),
                          duration_minutes=30, time_zone="Europe/Berlin", organizer_id=leo.id,
                          attendees=[MeetingAttendee(user_id=leo.id), MeetingAttendee(user_id=priya.id)])
        session.add(meeting)
        session.flush()
        session.add_all([ActionItem(title="Leo's task", assignee_id=leo.id, meeting_id=meeting.id,
                                    due_date=date(2026, 4, 2)),
                         ActionItem(title="Priya's task", assignee_id=priya.id, meeting_id=meeting.id,
                                    due_date=date(2026, 4, 2))])
        return {"leo": leo.id, "priya": priya.id, "meeting": meeting.id}


def scan(db, when):
    with db.session() as session:
        return run_reminders(session, COMPOSER, when).queued


def keys(db, kind=None):
    with db.session() as session:
        query = select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id)
        return list(session.scalars(query.where(OutboxMessage.kind == kind) if kind else query))


def test_due_reminder_at_nine_in_the_assignees_own_zone(db, world):
    assert scan(db, datetime(2026, 4, 2, 6, 59, tzinfo=UTC)) == {}  # 08:59 in Berlin (summer time)
    assert scan(db, datetime(2026, 4, 2, 7, 0, tzinfo=UTC)) == {"action_item_due": 1}  # 09:00 Berlin
    assert scan(db, datetime(2026, 4, 2, 12, 59, tzinfo=UTC)) == {}  # 08:59 New York, Leo's already sent
    assert scan(db, datetime(2026, 4, 2, 13, 0, tzinfo=UTC)) == {"action_item_due": 1}  # 09:00 New York
    assert scan(db, datetime(2026, 4, 2, 15, 0, tzinfo=UTC)) == {}  # never twice
    with db.session() as session:
        subjects = list(session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))
    assert subjects == ["Due today: Leo's task", "Due today: Priya's task"]


def test_the_morning_follows_daylight_saving(db, world):
    with db.session() as session:
        session.scalars(select(ActionItem).where(ActionItem.title == "Leo's task")).one().due_date = date(2026, 3, 27)
    assert scan(db, datetime(2026, 3, 27, 7, 59, tzinfo=UTC)) == {}  # 08:59 CET, the day before the change
    assert scan(db, datetime(2026, 3, 27, 8, 0, tzinfo=UTC)) == {"action_item_due": 1}


def test_overdue_reminders_every_three_days_three_times(db, world):
    with db.session() as session:  # Leo's item only
        session.scalars(select(ActionItem).where(ActionItem.title == "Priya's task")).one().status = "cancelled"
    start = datetime(2026, 4, 3, 7, 0, tzinfo=UTC)  # the morning after the due day in Berlin
    assert scan(db, start - timedelta(minutes=1)) == {"action_item_due": 1}  # still the due day: caught up
    assert scan(db, start) == {"action_item_overdue": 1}
    assert scan(db, start + timedelta(days=2)) == {}
    assert scan(db, start + timedelta(days=3)) == {"action_item_overdue": 1}
    assert scan(db, start + timedelta(days=6)) == {"action_item_overdue": 1}
    assert scan(db, start + timedelta(days=60)) == {}
    leo_keys = [k for k in keys(db, "action_item_overdue") if k.startswith("action-item-overdue:1:")]
    assert [k.rsplit(":", 1)[1] for k in leo_keys] == ["1", "2", "3"]


def test_after_an_outage_one_overdue_reminder_not_three(db, world):
    assert scan(db, datetime(2026, 4, 20, 12, tzinfo=UTC)) == {"action_item_overdue": 2}  # one per item
    assert scan(db, datetime(2026, 4, 20, 12, 5, tzinfo=UTC)) == {}  # and not the missed ones a scan later
    assert all(k.endswith(":3") for k in keys(db, "action_item_overdue"))  # the latest one


def test_done_items_and_opted_out_people_get_nothing(db, world):
    with db.session() as session:
        session.scalars(select(ActionItem).where(ActionItem.title == "Leo's task")).one().status = "done"
        session.add(NotificationPreference(user_id=world["priya"], action_item_due=False))
    assert scan(db, datetime(2026, 4, 2, 18, tzinfo=UTC)) == {}


def test_pre_meeting_reminder_to_attendees_without_topics(db, world):
    with db.session() as session:
        meeting = session.get(Meeting, world["meeting"])
        meeting.starts_at = datetime(2026, 4, 10, 9, tzinfo=UTC)
        session.add(AgendaItem(meeting_id=meeting.id, position=0, title="Leo's topic", created_by_id=world["leo"]))
        for item in session.scalars(select(ActionItem)):
            item.status = "done"  # only the meeting matters here
    assert scan(db, datetime(2026, 4, 9, 8, 59, tzinfo=UTC)) == {}  # more than 24 hours ahead
    assert scan(db, datetime(2026, 4, 9, 9, 0, tzinfo=UTC)) == {"pre_meeting": 1}
    assert keys(db, "pre_meeting") == [f"pre-meeting:{world['meeting']}:{world['priya']}"]
    assert scan(db, datetime(2026, 4, 9, 12, 0, tzinfo=UTC)) == {}


def test_recap_after_the_meeting_ends(db, world):
    with db.session() as session:
        leo = session.get(User, world["leo"])
        session.add_all([
            AgendaItem(meeting_id=world["meeting"], position=0, title="Budget", state="discussed"),
            Decision(meeting_id=world["meeting"], text="Hire a second designer"),
            Note(meeting_id=world["meeting"], scope="shared", body="Shared words"),
            Note(meeting_id=world["meeting"], scope=f"private:{leo.id}", author_id=leo.id,
                 visibility=NoteVisibility.PRIVATE, body="Secret words"),
        ])
        session.scalars(select(MeetingAttendee).where(MeetingAttendee.user_id == world["priya"])).one() \
            .recap_opt_out = True
        end_meeting(session, actor_for(session, leo), world["meeting"], datetime(2026, 3, 26, 9, 40, tzinfo=UTC))
    assert scan(db, datetime(2026, 3, 26, 9, 45, tzinfo=UTC)) == {"recap": 1}  # Priya opted out
    assert scan(db, datetime(2026, 3, 26, 9, 50, tzinfo=UTC)) == {}
    with db.session() as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "recap")).one()
    assert message.subject == "Recap: Weekly (Thu 26 Mar 2026)"
    assert "[x] Budget" in message.payload and "Hire a second designer" in message.payload
    assert "Shared words" in message.payload and "Secret words" not in message.payload
    assert "Leo's task: Leo, due 2026-04-02" in message.payload


def test_cli_runs_reminders_and_delivers_them_over_smtp(db, world, database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = SmtpServer()
    server.start()
    try:
        env = {"MEETINGS_DATABASE_URL": database_url, "MEETINGS_SMTP_URL": server.url,
               "MEETINGS_MAIL_FROM": "Meetings <m@example.com>", "MEETINGS_BASE_URL": "https://meet.example.com"}
        dry = CliRunner().invoke(main, ["reminders", "run", "--now", "2026-04-02T14:00:00Z", "--dry-run"], env=env)
        assert dry.exit_code == 0 and "Would queue: 2 action_item_due." in dry.output
        assert keys(db) == []
        real = CliRunner().invoke(main, ["reminders", "run", "--now", "2026-04-02T14:00:00Z"], env=env)
        assert real.exit_code == 0, real.output
        assert "Queued: 2 action_item_due." in real.output and "Delivered: 2 sent" in real.output
        again = CliRunner().invoke(main, ["reminders", "run", "--now", "2026-04-02T15:00:00Z"], env=env)
        assert "Queued: nothing." in again.output
    finally:
        server.stop()
    assert sorted(m["To"] for m in server.handler.messages) == ["leo@example.com", "priya@example.com"]
    assert all("https://meet.example.com/meetings/" in m.get_body(("plain",)).get_content()
               for m in server.handler.messages)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_outbox_list_and_retry_on_the_command_line(db, world, database_url, tmp_path, monkeypatch):
    from meetings.models import OutboxStatus

    monkeypatch.chdir(tmp_path)
    scan(db, datetime(2026, 4, 2, 14, tzinfo=UTC))
    with db.session() as session:
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        first.status, first.last_error, first.attempts = OutboxStatus.FAILED, "550 5.1.1 No such user", 1
        failed_id = first.id
    env = {"MEETINGS_DATABASE_URL": database_url}
    listed = CliRunner().invoke(main, ["outbox", "list", "--status", "failed"], env=env)
    assert listed.exit_code == 0 and "550 5.1.1 No such user" in listed.output and str(failed_id) in listed.output
    retried = CliRunner().invoke(main, ["outbox", "retry"], env=env)
    assert "1 message queued again." in retried.output
    with db.session() as session:
        assert session.get(OutboxMessage, failed_id).status is OutboxStatus.PENDING
