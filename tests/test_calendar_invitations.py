"""Calendar invitations by email (iMIP): sent through a real SMTP server, parsed back with the email
package and icalendar, checked against RFC 5545 and against the app's own occurrences."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from litestar.testing import TestClient
from sqlalchemy import select

from meetings.app import create_app
from meetings.domain.recurrence import occurrences
from meetings.integrations.email_delivery import build_message, deliver_pending
from meetings.models import Meeting, MeetingSeries, MeetingStatus, OutboxMessage, Team, User
from meetings.settings import Settings
from tests.calendar_conformance import assert_conforms, expanded, problems
from tests.conftest import FIXED_NOW, post_form, sign_in

MAIL_FROM = "Meetings <meetings@example.com>"
BASE = "https://meet.example.com"


@pytest.fixture
def site(tmp_path, database_url, demo, smtp, clock):
    """Maya signed in on an app that sends email to the test SMTP server."""
    settings = Settings.from_mapping({"data_dir": tmp_path, "database_url": database_url, "smtp_url": smtp.url,
                                      "scheduler": False, "mail_from": MAIL_FROM, "base_url": BASE})
    with TestClient(create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        sign_in(client, "maya@example.com")
        yield client


def _ids(db):
    with db.session() as session:
        users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
        teams = {t.name: t.id for t in session.scalars(select(Team))}
    return users, teams


def _invitations(db):
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "calendar_invitation")
                                    .order_by(OutboxMessage.id)))


def _create_series(client, db, **fields):
    users, teams = _ids(db)
    form = {"template": "", "title": "Platform sync", "team_id": str(teams["Platform"]),
            "attendee_ids": [str(users["leo"]), str(users["priya"])], "date": "2026-03-30", "time": "10:00",
            "time_zone": "Europe/Berlin", "duration_minutes": "30", "visibility": "team", "frequency": "weekly",
            "interval": "1", "ends": "after", "count": "8", **fields}
    response = post_form(client, "/meetings/new", form, token_from="/meetings/new")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _subject(message) -> str:
    return str(message["Subject"]).strip()  # a long subject is folded right after "Subject:"


def _calendar_part(message):
    """The text/calendar alternative and the .ics attachment of a received email."""
    parts = {part.get_content_type(): part for part in message.walk()}
    calendar = parts["text/calendar"]
    attachment = next(p for p in message.iter_attachments() if p.get_filename() == "invite.ics")
    return calendar, attachment


def _app_occurrences(db, series_id, until):
    """The series' meetings as the app plans them: the rule, less cancelled ones, moved ones moved."""
    with db.session() as session:
        series = session.get(MeetingSeries, series_id)
        rows = {m.recurrence_start: m for m in session.scalars(select(Meeting).where(Meeting.series_id == series_id))}
        found = []
        for _, start in occurrences(series.rrule, series.first_start_local, series.time_zone):
            if start > until:
                break
            row = rows.get(start)
            if row is not None and row.status is MeetingStatus.CANCELLED:
                continue
            begin = row.starts_at if row is not None else start
            length = row.duration_minutes if row is not None else series.duration_minutes
            found.append((f"{series.uid}@meet.example.com", begin, begin + timedelta(minutes=length)))
        return sorted(found, key=lambda r: (r[1], r[0]))


def test_a_new_series_invites_its_attendees_with_a_calendar_they_can_accept(site, db, smtp):
    meeting_id = _create_series(site, db)
    # The redirect's background task delivered them to the real SMTP server.
    received = {m["To"]: m for m in smtp.handler.messages}
    assert set(received) == {"leo@example.com", "priya@example.com"}  # not Maya, the organiser
    message = received["leo@example.com"]
    assert _subject(message).startswith("Invitation: Platform sync @ Mon 30 Mar 2026, 10:00 (Europe/Berlin)")
    assert message.get_content_type() == "multipart/mixed"
    assert "List-Unsubscribe" not in message  # an invitation is not a notification one can opt out of
    calendar_part, attachment = _calendar_part(message)
    assert calendar_part.get_param("method") == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    ics = calendar_part.get_content()
    assert Calendar.from_ical(attachment.get_content()).to_ical() == Calendar.from_ical(ics).to_ical()
    assert_conforms(ics)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    with db.session() as session:
        series = session.scalars(select(MeetingSeries).where(MeetingSeries.title == "Platform sync")).one()
        series_id, uid = series.id, series.uid
    assert str(event["UID"]) == f"{uid}@meet.example.com"
    assert int(event["SEQUENCE"]) == 0
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=8;BYDAY=MO"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["ORGANIZER"]) == "mailto:maya@example.com" and event["ORGANIZER"].params["CN"] == "Maya Chen"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:maya@example.com", "mailto:leo@example.com", "mailto:priya@example.com"}
    assert attendees["mailto:leo@example.com"]["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees["mailto:leo@example.com"]["RSVP"] == "TRUE"
    assert attendees["mailto:maya@example.com"]["ROLE"] == "CHAIR"
    # Eight Mondays at 10:00 Berlin time, across the switch to summer time, the same as the app's.
    until = datetime(2026, 6, 1, tzinfo=UTC)
    assert expanded(ics, FIXED_NOW - timedelta(days=7), until) == _app_occurrences(db, series_id, until)
    assert len(expanded(ics, FIXED_NOW, until)) == 8
    # The email says what, when, and how to answer without signing in.
    text = message.get_body(("plain",)).get_content()
    assert "When: Mon 30 Mar 2026, 10:00 (Europe/Berlin) (30 minutes)" in text
    assert "Repeats: Every week on Monday, 8 times" in text
    assert re.search(r"Yes: https://meet\.example\.com/rsvp/[\w.-]+\?answer=accepted", text)  # test_rsvp.py opens them
    assert f"{BASE}/meetings/{meeting_id}" in text


def test_changes_send_again_with_a_higher_sequence_and_exdate_and_recurrence_id(site, db, smtp, clock):
    first_id = _create_series(site, db)
    assert post_form(site, f"/meetings/{first_id}/cancel", {}, token_from=f"/meetings/{first_id}").status_code == 303
    with db.session() as session:
        series = session.scalars(select(MeetingSeries).where(MeetingSeries.title == "Platform sync")).one()
        series_id, uid = series.id, series.uid
        second = session.scalars(select(Meeting).where(Meeting.series_id == series_id,
                                                       Meeting.status == MeetingStatus.SCHEDULED)).one()
    # The cancellation: METHOD:CANCEL naming the one occurrence.
    cancel = [m for m in smtp.handler.messages if _subject(m).startswith("Cancelled:")]
    assert {m["To"] for m in cancel} == {"leo@example.com", "priya@example.com"}
    part, _ = _calendar_part(cancel[0])
    assert part.get_param("method") == "CANCEL"
    assert_conforms(part.get_content())
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["UID"]) == f"{uid}@meet.example.com" and int(event["SEQUENCE"]) == 1
    assert event.decoded("RECURRENCE-ID") == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert str(event["STATUS"]) == "CANCELLED"
    # Move the next one: a REQUEST of the whole series with the EXDATE and the RECURRENCE-ID override.
    response = post_form(site, f"/meetings/{second.id}/reschedule",
                         {"date": "2026-04-07", "time": "15:00", "duration_minutes": "45"},
                         token_from=f"/meetings/{second.id}")
    assert response.status_code == 303
    update = [m for m in smtp.handler.messages if _subject(m).startswith("Updated invitation:")]
    assert {m["To"] for m in update} == {"leo@example.com", "priya@example.com"}
    part, _ = _calendar_part(update[0])
    ics = part.get_content()
    assert_conforms(ics)
    calendar = Calendar.from_ical(ics)
    master, override = sorted(calendar.walk("VEVENT"), key=lambda e: "RECURRENCE-ID" in e)
    assert int(master["SEQUENCE"]) == 2 and int(override["SEQUENCE"]) == 2
    assert [d.dt for d in master["EXDATE"].dts] == [datetime(2026, 3, 30, 10, 0, tzinfo=master.decoded("DTSTART").tzinfo)]
    assert override.decoded("RECURRENCE-ID") == datetime(2026, 4, 6, 8, 0, tzinfo=UTC)
    assert override.decoded("DTSTART") == datetime(2026, 4, 7, 13, 0, tzinfo=UTC)
    until = datetime(2026, 6, 1, tzinfo=UTC)
    app_view = _app_occurrences(db, series_id, until)
    assert expanded(ics, FIXED_NOW, until) == app_view
    assert len(app_view) == 7 and app_view[0][1:] == (datetime(2026, 4, 7, 13, 0, tzinfo=UTC),
                                                      datetime(2026, 4, 7, 13, 45, tzinfo=UTC))
    # Each change was queued once per attendee; queuing the same state again adds nothing.
    rows = _invitations(db)
    keys = [r.idempotency_key for r in rows]
    assert len(keys) == len(set(keys)) == 6
    assert all(re.fullmatch(rf"calendar:series:{series_id}:\d:(REQUEST|CANCEL)(:\d+)?:\d+", k) for k in keys)
    from meetings.domain.invitations import series_invitations

    with db.session() as session:
        again = series_invitations(session, site.app.state.invitations, session.get(MeetingSeries, series_id),
                                   clock())
    assert again == 0 and len(_invitations(db)) == 6  # same SEQUENCE: the outbox refused the duplicates


def test_a_one_off_meeting_is_invited_updated_and_cancelled(site, db, smtp):
    meeting_id = _create_series(site, db, frequency="none", title="Budget review")
    post_form(site, f"/meetings/{meeting_id}/reschedule", {"date": "2026-03-31", "time": "11:30",
                                                          "duration_minutes": "60"}, token_from=f"/meetings/{meeting_id}")
    post_form(site, f"/meetings/{meeting_id}/cancel", {}, token_from=f"/meetings/{meeting_id}")
    to_leo = [m for m in smtp.handler.messages if m["To"] == "leo@example.com"]
    assert [_subject(m).split(":")[0] for m in to_leo] == ["Invitation", "Updated invitation", "Cancelled"]
    with db.session() as session:
        uid = session.get(Meeting, meeting_id).uid
    documents = [Calendar.from_ical(_calendar_part(m)[0].get_content()) for m in to_leo]
    for message in to_leo:
        assert_conforms(_calendar_part(message)[0].get_content())
    assert [str(d["METHOD"]) for d in documents] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [d.walk("VEVENT")[0] for d in documents]
    assert {str(e["UID"]) for e in events} == {f"{uid}@meet.example.com"}
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert "RRULE" not in events[0]
    assert events[1].decoded("DTSTART") == datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert "Maya Chen cancelled" in to_leo[2].get_body(("plain",)).get_content()


def test_changing_the_series_from_a_date_invites_to_both_parts(site, db, smtp, clock):
    first_id = _create_series(site, db, ends="never")
    response = post_form(site, "/series/0/change".replace("0", str(_series_id(db))), {
        "meeting_id": str(first_id), "from_date": "2026-04-20", "time": "14:00", "duration_minutes": "30",
        "frequency": "weekly", "interval": "2", "ends": "never"}, token_from=f"/meetings/{first_id}")
    assert response.status_code == 303
    documents = {}
    for message in smtp.handler.messages:
        if message["To"] == "leo@example.com":
            ics = _calendar_part(message)[0].get_content()
            assert_conforms(ics)
            event = Calendar.from_ical(ics).walk("VEVENT")[0]
            documents[(str(event["UID"]), int(event["SEQUENCE"]))] = event
    assert len(documents) == 3  # the first invitation, the series cut short, the series that continues
    cut = next(e for (uid, seq), e in documents.items() if seq == 1)
    assert cut["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260419T215959Z;BYDAY=MO"
    continuing = next(e for (uid, seq), e in documents.items() if uid != str(cut["UID"]))
    assert continuing["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert continuing.decoded("DTSTART") == datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


def _series_id(db):
    with db.session() as session:
        return session.scalars(select(MeetingSeries.id).where(MeetingSeries.title == "Platform sync")).one()


def test_the_mailbox_shows_the_invitation_calendar(maya, db, app):
    meeting_id = _create_series(maya, db)
    deliver_pending(db, None, MAIL_FROM, FIXED_NOW)
    sign_in(maya, "leo@example.com")
    with db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "leo@example.com",
                                                          OutboxMessage.kind == "calendar_invitation")).one()
    page = maya.get(f"/mailbox/{row.id}")
    assert "carries a calendar invitation" in page.text and f"/mailbox/{row.id}/invite.ics" in page.text
    download = maya.get(f"/mailbox/{row.id}/invite.ics")
    assert download.headers["content-type"].startswith("text/calendar")
    assert "method=REQUEST" in download.headers["content-type"]
    assert_conforms(download.content)
    assert meeting_id


def test_the_payload_keeps_the_calendar_and_build_message_attaches_it(site, db):
    _create_series(site, db)
    row = _invitations(db)[0]
    payload = json.loads(row.payload)
    assert payload["calendar"]["method"] == "REQUEST" and payload["calendar"]["ics"].startswith("BEGIN:VCALENDAR")
    message = build_message(row, MAIL_FROM)
    types = [p.get_content_type() for p in message.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar",
                     "application/ics"]


def test_downloads_and_feeds_conform(maya, db, app):
    """The per-meeting .ics and the subscription feed of the demo workspace pass the same checks."""
    with db.session() as session:
        ids = list(session.scalars(select(Meeting.id)))
    for meeting_id in ids:
        response = maya.get(f"/meetings/{meeting_id}/calendar.ics")
        if response.status_code == 200:
            assert_conforms(response.content)
    page = post_form(maya, "/settings/calendar-token", {}, token_from="/settings")
    feed_url = re.search(r'id="feed-url">([^<]+)<', page.text).group(1)
    feed = TestClient(app).get(feed_url.removeprefix("http://127.0.0.1:8000")).content
    assert_conforms(feed)


def test_downloads_and_the_feed_carry_a_series_as_its_invitations_do(site, db, smtp):
    """One UID for the series everywhere: a calendar that has the invitation, the download and the
    feed keeps one copy, and all three expand to the same meetings."""
    first_id = _create_series(site, db)
    post_form(site, f"/meetings/{first_id}/cancel", {}, token_from=f"/meetings/{first_id}")
    [message] = [m for m in smtp.handler.messages if m["To"] == "leo@example.com" and "Cancelled" in _subject(m)]
    series_id = _series_id(db)
    with db.session() as session:
        following = session.scalars(select(Meeting).where(Meeting.series_id == series_id,
                                                          Meeting.status == MeetingStatus.SCHEDULED)).one().id
    download = site.get(f"/meetings/{following}/calendar.ics").content
    assert_conforms(download)
    page = post_form(site, "/settings/calendar-token", {}, token_from="/settings")
    feed_url = re.search(r'id="feed-url">([^<]+)<', page.text).group(1)
    feed = site.get(feed_url.removeprefix(BASE)).content
    assert_conforms(feed)
    uid = str(Calendar.from_ical(_calendar_part(message)[0].get_content()).walk("VEVENT")[0]["UID"])
    [master] = [e for e in Calendar.from_ical(download).walk("VEVENT") if "RRULE" in e]
    assert str(master["UID"]) == uid and int(master["SEQUENCE"]) == 1
    assert [str(e["UID"]) for e in Calendar.from_ical(feed).walk("VEVENT")].count(uid) == 1
    until = datetime(2026, 6, 1, tzinfo=UTC)
    assert expanded(download, FIXED_NOW, until) == [o for o in expanded(feed, FIXED_NOW, until) if o[0] == uid] \
        == _app_occurrences(db, series_id, until)


def test_the_conformance_check_can_fail():
    broken = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nMETHOD:REQUEST\r\n"
              b"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;TZID=Mars/Olympus:20260330T100000\r\n"
              b"DTEND;TZID=Mars/Olympus:20260330T103000\r\n"
              b"RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20260430T000000\r\nEND:VEVENT\r\n"
              b"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260330T100000Z\r\nEND:VEVENT\r\n"
              b"BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260301T000000Z\r\nRRULE:FREQ=DAILY\r\n"
              b"DTSTART:20260330T100000Z\r\nDTEND:20260330T110000Z\r\nORGANIZER:mailto:o@x\r\n"
              b"ATTENDEE:mailto:a@x\r\nSEQUENCE:0\r\nEND:VEVENT\r\n"
              b"BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260301T000000Z\r\nRECURRENCE-ID:20260330T103000Z\r\n"
              b"DTSTART:20260330T120000Z\r\nDTEND:20260330T130000Z\r\nORGANIZER:mailto:o@x\r\n"
              b"ATTENDEE:mailto:a@x\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    found = "\n".join(problems(broken))
    for expected in ("no DTSTAMP", "has no VTIMEZONE", "both COUNT and UNTIL", "not in UTC",
                     "two events with one UID", "without ORGANIZER", "is not an occurrence of its series"):
        assert expected in found, (expected, found)
