"""Issue 7's preferences: managers' weekly digest, quiet hours, per-user and per-series choices,
List-Unsubscribe with one-click (RFC 8058) and signed links, and header injection refused."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from meetings.domain.notification_prefs import (
    quiet_until,
    read_unsubscribe_token,
    unsubscribe_token,
)
from meetings.domain.reminders import run_reminders
from meetings.integrations.email_delivery import SmtpTransport, deliver_pending
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.models import (
    ActionItem,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    ReportingLine,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Visibility,
)
from tests.conftest import EMAIL_SECRET, csrf_token, post_form, sign_in
from tests.smtp_server import SmtpServer

COMPOSER = JinjaEmailComposer("https://meet.example.com", EMAIL_SECRET)
MONDAY_9_BERLIN = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)  # Monday 6 April 2026, 09:00 CEST


def scan(db, when):
    with db.session() as session:
        return run_reminders(session, COMPOSER, when).queued


def outbox(db, kind):
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


@pytest.fixture
def team_world(db):
    """Mia manages Platform (Tom, Ana); Rob reports to Mia. Open items: Tom's overdue one, Ana's
    later one, Rob's; done items and one from a private 1-on-1 Mia may not see must stay out."""
    with db.session() as session:
        mia = User(email="mia@example.com", name="Mia", time_zone="Europe/Berlin")
        tom = User(email="tom@example.com", name="Tom", time_zone="Europe/Berlin")
        ana = User(email="ana@example.com", name="Ana", time_zone="America/New_York")
        rob = User(email="rob@example.com", name="Rob", time_zone="Europe/Berlin")
        zoe = User(email="zoe@example.com", name="Zoe", time_zone="Europe/Berlin")
        team = Team(name="Platform")
        session.add_all([mia, tom, ana, rob, zoe, team])
        session.flush()
        session.add_all([TeamMembership(team_id=team.id, user_id=mia.id, role=TeamRole.MANAGER),
                         TeamMembership(team_id=team.id, user_id=tom.id),
                         TeamMembership(team_id=team.id, user_id=ana.id),
                         ReportingLine(manager_id=mia.id, report_id=rob.id)])
        weekly = Meeting(uid="w", title="Weekly", team_id=team.id, visibility=Visibility.TEAM,
                         starts_at=datetime(2026, 3, 30, 8, tzinfo=UTC), duration_minutes=30,
                         time_zone="Europe/Berlin", organizer_id=mia.id,
                         attendees=[MeetingAttendee(user_id=u.id) for u in (mia, tom, ana, rob)])
        private = Meeting(uid="p", title="Zoe and Tom", visibility=Visibility.PRIVATE,
                          starts_at=datetime(2026, 3, 30, 9, tzinfo=UTC), duration_minutes=30,
                          time_zone="Europe/Berlin", organizer_id=zoe.id,
                          attendees=[MeetingAttendee(user_id=zoe.id), MeetingAttendee(user_id=tom.id)])
        session.add_all([weekly, private])
        session.flush()
        session.add_all([
            ActionItem(title="Fix the build", assignee_id=tom.id, meeting_id=weekly.id, due_date=date(2026, 4, 1)),
            ActionItem(title="Write the RFC", assignee_id=ana.id, meeting_id=weekly.id, due_date=date(2026, 4, 20)),
            ActionItem(title="Book the venue", assignee_id=rob.id, meeting_id=weekly.id),
            ActionItem(title="Old thing", assignee_id=tom.id, meeting_id=weekly.id, status="done"),
            ActionItem(title="Private promise", assignee_id=tom.id, meeting_id=private.id),
        ])
        return {"mia": mia.id, "tom": tom.id, "team": team.id, "weekly": weekly.id}


def digest_scan(db, when):
    return scan(db, when).get("digest", 0)


def test_weekly_digest_to_managers_at_nine_on_their_day(db, team_world):
    assert digest_scan(db, MONDAY_9_BERLIN - timedelta(minutes=1)) == 0
    assert digest_scan(db, MONDAY_9_BERLIN) == 1
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(hours=3)) == 0  # once a week
    [message] = outbox(db, "digest")
    assert message.recipient == "mia@example.com"
    assert message.idempotency_key == f"digest:{team_world['mia']}:2026-04-06"
    text = json.loads(message.payload)["text"]
    assert "Fix the build (Tom, due 2026-04-01" in text.split("Open:")[0]  # overdue section first
    assert "Write the RFC (Ana, due 2026-04-20" in text.split("Open:")[1]
    assert "Book the venue (Rob" in text  # a report outside the team
    assert "Old thing" not in text and "Private promise" not in text
    assert message.subject == "Your team's action items: 1 overdue, 2 open"
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=7)) == 1  # the next week


def test_digest_day_and_switch_are_each_managers_own(db, team_world):
    with db.session() as session:
        session.add(NotificationPreference(user_id=team_world["mia"], digest_weekday=2))  # Wednesday
    assert digest_scan(db, MONDAY_9_BERLIN) == 0
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=2)) == 1
    with db.session() as session:
        session.get(NotificationPreference, team_world["mia"]).digest = False
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=9)) == 0


def test_a_scheduler_down_on_digest_morning_catches_up_once_but_not_a_week_late(db, team_world):
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=1)) == 1  # Tuesday: still sent
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=1, hours=1)) == 0
    assert digest_scan(db, MONDAY_9_BERLIN + timedelta(days=10)) == 0  # Thursday of the next week: skipped


def test_no_digest_when_nothing_is_open(db, team_world):
    with db.session() as session:
        for item in session.scalars(select(ActionItem)):
            item.status = "done"
    assert digest_scan(db, MONDAY_9_BERLIN) == 0


@pytest.mark.parametrize(("start", "end", "local", "expected"), [
    (time(21), time(7), datetime(2026, 4, 6, 23, 30), datetime(2026, 4, 7, 7)),  # spans midnight, evening
    (time(21), time(7), datetime(2026, 4, 7, 6, 59), datetime(2026, 4, 7, 7)),  # spans midnight, morning
    (time(21), time(7), datetime(2026, 4, 7, 7, 0), None),
    (time(12), time(14), datetime(2026, 4, 7, 13), datetime(2026, 4, 7, 14)),
    (time(12), time(14), datetime(2026, 4, 7, 11, 59), None),
    # The night clocks go forward in Berlin (29 March 2026): quiet until 07:00 CEST, six hours of real time.
    (time(22), time(7), datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 7)),
])
def test_quiet_hours_end_in_the_persons_own_zone(start, end, local, expected):
    from zoneinfo import ZoneInfo
    berlin = ZoneInfo("Europe/Berlin")
    pref = NotificationPreference(quiet_hours_start=start, quiet_hours_end=end)
    result = quiet_until(pref, "Europe/Berlin", local.replace(tzinfo=berlin).astimezone(UTC))
    assert result == (expected.replace(tzinfo=berlin).astimezone(UTC) if expected else None)


def test_a_reminder_in_quiet_hours_waits_for_their_end(db, team_world):
    with db.session() as session:
        session.add(NotificationPreference(user_id=team_world["tom"], quiet_hours_start=time(8),
                                           quiet_hours_end=time(10)))
    due_morning = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin: inside Tom's quiet hours
    assert scan(db, due_morning)["action_item_due"] == 1
    [message] = outbox(db, "action_item_due")
    assert message.next_attempt_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # 10:00 Berlin
    assert deliver_pending(db, None, "m@example.com", due_morning + timedelta(minutes=30)).kept == 0
    assert deliver_pending(db, None, "m@example.com", datetime(2026, 4, 1, 8, 0, tzinfo=UTC)).kept == 1


def test_unsubscribe_tokens_are_signed():
    token = unsubscribe_token(EMAIL_SECRET, 7, "recap")
    assert read_unsubscribe_token(EMAIL_SECRET, token) == (7, "recap")
    assert read_unsubscribe_token("another-secret-0123456789abcdef012345", token) is None
    assert read_unsubscribe_token(EMAIL_SECRET, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert read_unsubscribe_token(EMAIL_SECRET, "garbage") is None
    forged = unsubscribe_token(EMAIL_SECRET, 7, "password_reset")  # not a reminder kind: refused
    assert read_unsubscribe_token(EMAIL_SECRET, forged) is None


def test_reminders_carry_list_unsubscribe_and_arrive_with_it_over_smtp(db, team_world):
    scan(db, datetime(2026, 4, 1, 7, 0, tzinfo=UTC))
    server = SmtpServer()
    server.start()
    try:
        report = deliver_pending(db, SmtpTransport(server.url), "Meetings <m@example.com>",
                                 datetime(2026, 4, 1, 7, 1, tzinfo=UTC))
    finally:
        server.stop()
    assert report.sent == 1
    [received] = server.handler.messages
    link = received["List-Unsubscribe"]
    assert link.startswith("<https://meet.example.com/unsubscribe/") and link.endswith(">")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in received.get_body(("plain",)).get_content()
    assert link[1:-1] in received.get_body(("html",)).get_content()


def _unsubscribe_path(db, kind):
    [message] = outbox(db, kind)
    return json.loads(message.payload)["headers"]["List-Unsubscribe"][1:-1].removeprefix("https://meet.example.com")


@pytest.fixture
def web_world(app, db, team_world):
    # The app signs with the key in its data dir; reminders queued through the app's composer use it.
    composer = app.state.email_composer
    with db.session() as session:
        run_reminders(session, composer, datetime(2026, 4, 1, 7, 0, tzinfo=UTC))
    return team_world


def test_one_click_unsubscribe_needs_no_sign_in_and_no_csrf(client, db, web_world):
    path = _unsubscribe_path(db, "action_item_due")
    page = client.get(path)
    assert page.status_code == 200 and "An action item of yours is due today".lower() in page.text.lower()
    with db.session() as session:  # looking at the link changes nothing (mail scanners follow links)
        assert session.get(NotificationPreference, web_world["tom"]) is None
    answer = client.post(path, content=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    with db.session() as session:
        pref = session.get(NotificationPreference, web_world["tom"])
        assert pref.action_item_due is False and pref.action_item_overdue is True
    assert client.post(path, content=b"List-Unsubscribe=One-Click").status_code == 200  # twice: harmless


def test_a_tampered_unsubscribe_link_changes_nothing(client, db, web_world):
    path = _unsubscribe_path(db, "action_item_due")
    bad = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc")
    assert client.get(bad).status_code == 404
    assert client.post(bad, content=b"List-Unsubscribe=One-Click").status_code == 404
    with db.session() as session:
        assert session.get(NotificationPreference, web_world["tom"]) is None


def test_unsubscribed_kinds_are_not_sent_again(db, team_world):
    with db.session() as session:
        session.add(NotificationPreference(user_id=team_world["tom"], unsubscribed_all=True))
    assert "action_item_due" not in scan(db, datetime(2026, 4, 1, 7, 0, tzinfo=UTC))


def _prefs_form(**overrides):
    form = {"kinds": ["pre_meeting", "recap"], "digest_weekday": "4", "quiet_hours_start": "21:00",
            "quiet_hours_end": "07:00", "time_zone": "Asia/Tokyo"}
    return {**form, **overrides}


def test_preferences_page_saves_every_choice(maya, db):
    assert maya.get("/settings/notifications").status_code == 200
    token = csrf_token(maya, "/settings/notifications")
    answer = maya.post("/settings/notifications", data={**_prefs_form(), "_csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    with db.session() as session:
        maya_user = session.scalars(select(User).where(User.email == "maya@example.com")).one()
        pref = session.get(NotificationPreference, maya_user.id)
        assert (pref.pre_meeting, pref.recap, pref.action_item_due, pref.digest) == (True, True, False, False)
        assert (pref.digest_weekday, pref.quiet_hours_start, pref.quiet_hours_end) == (4, time(21), time(7))
        assert maya_user.time_zone == "Asia/Tokyo"
    page = maya.get("/settings/notifications?saved=1").text
    assert "were saved" in page and 'value="21:00"' in page


@pytest.mark.parametrize(("override", "field", "message"), [
    ({"quiet_hours_end": ""}, "quiet_hours_end", "both ends"),
    ({"quiet_hours_start": "25:99"}, "quiet_hours_start", "like 21:00"),
    ({"quiet_hours_end": "21:00"}, "quiet_hours_end", "another time"),
    ({"digest_weekday": "9"}, "digest_weekday", "day of the week"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
    ({"kinds": ["recap", "spam"]}, "kinds", "from the list"),
])
def test_preferences_page_refuses_bad_input_and_keeps_it(maya, db, override, field, message):
    token = csrf_token(maya, "/settings/notifications")
    answer = maya.post("/settings/notifications", data={**_prefs_form(**override), "_csrf_token": token})
    assert answer.status_code == 400 and message in answer.text
    assert 'value="21:00"' in answer.text or override.get("quiet_hours_start") == "25:99"
    with db.session() as session:  # nothing half-saved
        maya_user = session.scalars(select(User).where(User.email == "maya@example.com")).one()
        assert session.get(NotificationPreference, maya_user.id) is None
        assert maya_user.time_zone == "Europe/Berlin"


def test_series_reminder_switch_and_lead_time(client, db, demo):
    sign_in(client, "leo@example.com")
    with db.session() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.series_id.is_not(None),
                                                        Meeting.title.like("%Leo%"))).first()
        series_id, meeting_id = meeting.series_id, meeting.id
    page = f"/meetings/{meeting_id}"
    bad = post_form(client, f"/series/{series_id}/reminders",
                    {"meeting_id": str(meeting_id), "lead_hours": "0", "pre_meeting_reminder": "on"}, token_from=page)
    assert bad.status_code == 400 and "from 1 to 168" in bad.text and 'value="0"' in bad.text
    good = post_form(client, f"/series/{series_id}/reminders", {"meeting_id": str(meeting_id), "lead_hours": "2"},
                     token_from=page)
    assert good.status_code == 303
    with db.session() as session:
        series = session.get(MeetingSeries, series_id)
        assert (series.pre_meeting_reminder, series.reminder_lead_minutes) == (False, 120)


def test_header_injection_through_encoded_words_is_refused(db, team_world):
    # CVE-2024-6923: Python's email package re-encoded headers with the newline an encoded word held.
    with db.session() as session:
        session.scalars(select(ActionItem).where(ActionItem.title == "Fix the build")).one().title = \
            "=?utf-8?q?Fix=0D=0ABcc=3A_evil=40example.com?="
    scan(db, datetime(2026, 4, 1, 7, 0, tzinfo=UTC))
    server = SmtpServer()
    server.start()
    try:
        report = deliver_pending(db, SmtpTransport(server.url), "m@example.com", datetime(2026, 4, 1, 7, 1, tzinfo=UTC))
    finally:
        server.stop()
    assert report.failed == 1 and server.handler.messages == []
    [message] = outbox(db, "action_item_due")
    assert message.status is OutboxStatus.FAILED and "encoded line break" in message.last_error


def test_long_non_ascii_titles_fold_into_one_header(db, team_world):
    with db.session() as session:
        session.get(Meeting, team_world["weekly"]).title = "Wöchentliche Abstimmung " * 6
        session.scalars(select(ActionItem).where(ActionItem.title == "Fix the build")).one().title = \
            "Überprüfung der Zugangsdaten für die Bcc: evil@example.com " * 3
    scan(db, datetime(2026, 4, 1, 7, 0, tzinfo=UTC))
    server = SmtpServer()
    server.start()
    try:
        deliver_pending(db, SmtpTransport(server.url), "m@example.com", datetime(2026, 4, 1, 7, 1, tzinfo=UTC))
    finally:
        server.stop()
    [received] = server.handler.messages
    assert received["Bcc"] is None and received.get_all("Subject") == [received["Subject"]]
    assert received["Subject"].startswith("Due today: Überprüfung")


def test_every_reminder_kind_arrives_once_over_smtp(db, team_world):
    from meetings.models import MeetingStatus

    scan_at = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
    with db.session() as session:
        weekly = session.get(Meeting, team_world["weekly"])
        weekly.status, weekly.ended_at = MeetingStatus.ENDED, scan_at - timedelta(hours=1)  # recap
        session.add(Meeting(uid="next", title="Planning", starts_at=scan_at + timedelta(hours=20), duration_minutes=30,
                            time_zone="Europe/Berlin", organizer_id=team_world["mia"],
                            attendees=[MeetingAttendee(user_id=team_world["tom"])]))  # pre-meeting
        session.add(ActionItem(title="Call the vendor", assignee_id=team_world["tom"], meeting_id=weekly.id,
                               due_date=date(2026, 4, 6)))  # due today; "Fix the build" is overdue
    server = SmtpServer()
    server.start()
    try:
        for minutes in (0, 5, 10):  # the scheduler's rounds: nothing twice
            scan(db, scan_at + timedelta(minutes=minutes))
            deliver_pending(db, SmtpTransport(server.url), "m@example.com", scan_at + timedelta(minutes=minutes))
    finally:
        server.stop()
    received = sorted((m["To"], m["Subject"]) for m in server.handler.messages)
    tom = [subject for to, subject in received if to == "tom@example.com"]
    assert "Due today: Call the vendor" in tom
    assert any(s.startswith("Overdue") and "Fix the build" in s for s in tom), tom
    assert any("Planning" in s for s in tom) and any(s.startswith("Recap: Weekly") for s in tom)
    assert ("mia@example.com", "Your team's action items: 1 overdue, 3 open") in received
    assert len(received) == len(set(received))  # each once
    with db.session() as session:
        kinds = set(session.scalars(select(OutboxMessage.kind)))
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert kinds == {"action_item_due", "action_item_overdue", "pre_meeting", "recap", "digest"}
    assert statuses == {OutboxStatus.SENT}
