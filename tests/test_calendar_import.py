"""Importing .ics files: a Google-like and an Outlook-like export (Windows zone names), recurring with
exceptions; bad files import nothing; the summary says what was created and skipped, and why."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from meetings.integrations.calendar_invites import ICalendarInvitations
from meetings.integrations.ical_import import parse_calendar, zone_name
from meetings.models import Meeting, MeetingSeries, MeetingStatus
from tests.calendar_conformance import assert_conforms, expanded
from tests.conftest import FIXED_NOW, post_form
from tests.test_api import token  # noqa: F401 (the fixture)
from tests.test_calendar_invitations import _app_occurrences, _ids

BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def _ics(lines: str) -> bytes:
    return "\r\n".join(line.strip() for line in lines.strip().splitlines()).encode() + b"\r\n"


def google_export() -> bytes:
    """As Google Calendar exports: TZIDs with IANA names, a weekly stand-up on Monday and Wednesday
    with an EXDATE, a moved and a cancelled occurrence; a one-off in UTC; a past event; an all-day one."""
    return _ics(f"""
        BEGIN:VCALENDAR
        PRODID:-//Google Inc//Google Calendar 70.9054//EN
        VERSION:2.0
        CALSCALE:GREGORIAN
        METHOD:PUBLISH
        X-WR-CALNAME:maya@example.com
        X-WR-TIMEZONE:Europe/Berlin
        {BERLIN_VTIMEZONE}
        BEGIN:VEVENT
        DTSTART;TZID=Europe/Berlin:20260302T093000
        DTEND;TZID=Europe/Berlin:20260302T094500
        RRULE:FREQ=WEEKLY;WKST=MO;BYDAY=MO,WE
        EXDATE;TZID=Europe/Berlin:20260401T093000
        DTSTAMP:20260320T100000Z
        ORGANIZER;CN=Maya Chen:mailto:maya@example.com
        UID:standup-7f3a@google.com
        ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Maya Chen:mailto:maya@example.com
        ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=leo@example.com;X-NUM-GUESTS=0:mailto:leo@example.com
        ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=guest@elsewhere.test:mailto:guest@elsewhere.test
        SUMMARY:Team stand-up
        DESCRIPTION:Fifteen minutes\\, standing.
        SEQUENCE:2
        STATUS:CONFIRMED
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;TZID=Europe/Berlin:20260330T110000
        DTEND;TZID=Europe/Berlin:20260330T111500
        DTSTAMP:20260320T100000Z
        UID:standup-7f3a@google.com
        RECURRENCE-ID;TZID=Europe/Berlin:20260330T093000
        SUMMARY:Team stand-up (late today)
        SEQUENCE:3
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;TZID=Europe/Berlin:20260406T093000
        DTEND;TZID=Europe/Berlin:20260406T094500
        DTSTAMP:20260320T100000Z
        UID:standup-7f3a@google.com
        RECURRENCE-ID;TZID=Europe/Berlin:20260406T093000
        STATUS:CANCELLED
        SUMMARY:Team stand-up
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;TZID=Europe/Berlin:20260408T140000
        DTEND;TZID=Europe/Berlin:20260408T141500
        DTSTAMP:20260320T100000Z
        UID:standup-7f3a@google.com
        RECURRENCE-ID;TZID=Europe/Berlin:20260408T093000
        SUMMARY:Team stand-up (afternoon)
        END:VEVENT
        BEGIN:VEVENT
        DTSTART:20260402T130000Z
        DTEND:20260402T140000Z
        DTSTAMP:20260320T100000Z
        UID:budget-91@google.com
        ORGANIZER:mailto:priya@example.com
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:Priya@Example.com
        SUMMARY:Budget review
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;TZID=Europe/Berlin:20260310T100000
        DTEND;TZID=Europe/Berlin:20260310T110000
        DTSTAMP:20260320T100000Z
        UID:past-1@google.com
        SUMMARY:Kick-off
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260405
        DTEND;VALUE=DATE:20260406
        DTSTAMP:20260320T100000Z
        UID:holiday-1@google.com
        SUMMARY:Easter
        END:VEVENT
        END:VCALENDAR
    """)


def outlook_export() -> bytes:
    """As Outlook exports: a Windows zone name ("W. Europe Standard Time", quoted), UNTIL in UTC,
    an EXDATE on the next occurrence; a rule it can't keep (BYSETPOS) and one breaking RFC 5545."""
    return _ics("""
        BEGIN:VCALENDAR
        PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
        VERSION:2.0
        METHOD:PUBLISH
        X-MS-OLK-FORCEINSPECTOROPEN:TRUE
        BEGIN:VTIMEZONE
        TZID:W. Europe Standard Time
        BEGIN:STANDARD
        DTSTART:16011028T030000
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010325T020000
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        END:DAYLIGHT
        END:VTIMEZONE
        BEGIN:VEVENT
        CLASS:PUBLIC
        DTSTAMP:20260301T120000Z
        DTSTART;TZID="W. Europe Standard Time":20260310T110000
        DTEND;TZID="W. Europe Standard Time":20260310T113000
        RRULE:FREQ=WEEKLY;UNTIL=20260630T090000Z;INTERVAL=2;BYDAY=TU;WKST=MO
        EXDATE;TZID="W. Europe Standard Time":20260407T110000
        ORGANIZER;CN="Elena Rossi":mailto:elena@example.com
        ATTENDEE;CN="Sam Okafor";RSVP=TRUE:mailto:SAM@example.com
        SUMMARY;LANGUAGE=en-us:Roadmap sync
        UID:040000008200E00074C5B7101A82E00800000000B0A1C2D3E4F5
        SEQUENCE:0
        END:VEVENT
        BEGIN:VEVENT
        DTSTAMP:20260301T120000Z
        DTSTART;TZID="W. Europe Standard Time":20260331T160000
        DTEND;TZID="W. Europe Standard Time":20260331T170000
        RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1
        SUMMARY:Month-end close
        UID:040000008200E00074C5B7101A82E00800000000AAAA
        END:VEVENT
        BEGIN:VEVENT
        DTSTAMP:20260301T120000Z
        DTSTART;TZID="W. Europe Standard Time":20260401T090000
        DTEND;TZID="W. Europe Standard Time":20260401T093000
        RRULE:FREQ=DAILY;COUNT=5;UNTIL=20260410T000000Z
        SUMMARY:Broken rule
        UID:040000008200E00074C5B7101A82E00800000000BBBB
        END:VEVENT
        BEGIN:VEVENT
        DTSTAMP:20260301T120000Z
        DTSTART;TZID="Mars Standard Time":20260401T090000
        DTEND;TZID="Mars Standard Time":20260401T093000
        SUMMARY:On Mars
        UID:040000008200E00074C5B7101A82E00800000000CCCC
        END:VEVENT
        END:VCALENDAR
    """)


def _upload(client, content: bytes, team_id: str = "", name: str = "calendar.ics"):
    page = client.get("/meetings/import")
    csrf = BeautifulSoup(page.text, "html.parser").select_one("input[name=_csrf_token]")["value"]
    return client.post("/meetings/import", data={"team_id": team_id, "_csrf_token": csrf},
                       files={"file": (name, content, "text/calendar")}, follow_redirects=False)


def _count(db, model=Meeting):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_windows_zone_names_are_mapped():
    assert zone_name("W. Europe Standard Time") == "Europe/Berlin"
    assert zone_name("Eastern Standard Time") == "America/New_York"
    assert zone_name("Europe/Rome") == "Europe/Rome"
    assert zone_name("Mars Standard Time") is None


def test_import_a_google_export_with_a_recurring_event_and_its_exceptions(maya, db, clock):
    response = _upload(maya, google_export())
    assert response.status_code == 200, response.text
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#summary-title").get_text() == "2 created, 2 skipped"
    skipped = [li.get_text() for li in page.select("#import-skipped li")]
    assert skipped == ["Easter: an all-day event is not a meeting.", "Kick-off: it is over."]
    created = page.select_one("#import-created").get_text(" ", strip=True)
    assert "Not people here, so not invited: guest@elsewhere.test." in created
    assert "The occurrence moved to 08 Apr 2026 14:00 is a meeting of its own." in created
    with db.session() as session:
        series = session.scalars(select(MeetingSeries).where(MeetingSeries.uid == "standup-7f3a@google.com")).one()
        assert (series.rrule, series.time_zone, series.first_start_local, series.duration_minutes) == (
            "FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO", "Europe/Berlin", "2026-03-02T09:30:00", 15)
        assert series.description == "Fifteen minutes, standing."
        rows = {m.recurrence_start: m for m in session.scalars(select(Meeting).where(Meeting.series_id == series.id))}
        # The next occurrence is moved as in the file; the excluded, cancelled and moved-away ones
        # hold their places as cancelled occurrences.
        following = rows[datetime(2026, 3, 30, 7, 30, tzinfo=UTC)]
        assert following.status is MeetingStatus.SCHEDULED
        assert following.starts_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
        assert following.title == "Team stand-up (late today)"
        assert {a.user.email for a in following.attendees} == {"maya@example.com", "leo@example.com"}
        assert following.organizer.email == "maya@example.com"
        cancelled = sorted(s for s, m in rows.items() if m.status is MeetingStatus.CANCELLED)
        assert cancelled == [datetime(2026, 4, d, 7, 30, tzinfo=UTC) for d in (1, 6, 8)]
        # The occurrence moved to another day is a meeting of its own, at its new time.
        alone = session.scalars(select(Meeting).where(Meeting.title == "Team stand-up (afternoon)")).one()
        assert alone.series_id is None and alone.starts_at == datetime(2026, 4, 8, 12, 0, tzinfo=UTC)
        # A one-off in UTC shows in the importer's zone; addresses match whatever their case.
        budget = session.scalars(select(Meeting).where(Meeting.uid == "budget-91@google.com")).one()
        assert budget.time_zone == "Europe/Berlin" and budget.starts_at == datetime(2026, 4, 2, 13, 0, tzinfo=UTC)
        assert {a.user.email for a in budget.attendees} == {"maya@example.com", "priya@example.com"}
        series_id = series.id
        # The series as the app now writes it (an invitation) conforms, and a maintained library
        # expands it to the meetings the app plans: what the file said, less what moved away.
        rows_list = sorted(rows.values(), key=lambda m: m.recurrence_start)
        ics = ICalendarInvitations("https://meet.example.com").for_series(series, rows_list, "REQUEST", FIXED_NOW)
    assert_conforms(ics)
    until = datetime(2026, 4, 30, tzinfo=UTC)
    ours = expanded(ics, datetime(2026, 3, 1, tzinfo=UTC), until)
    assert ours == _app_occurrences(db, series_id, until)
    ours = [o for o in ours if o[1] > FIXED_NOW]
    original = [(start, end) for uid, start, end in expanded(google_export(), FIXED_NOW, until)
                if uid == "standup-7f3a@google.com"]
    assert [(s, e) for _, s, e in ours] == [o for o in original if o[0] != datetime(2026, 4, 8, 12, 0, tzinfo=UTC)]
    # When the moved meeting ends, the series goes on past the cancelled ones.
    post_form(maya, f"/meetings/{following.id}/end", {}, token_from=f"/meetings/{following.id}")
    with db.session() as session:
        upcoming = session.scalars(select(Meeting).where(Meeting.series_id == series_id,
                                                         Meeting.status == MeetingStatus.SCHEDULED)).one()
        assert upcoming.starts_at == datetime(2026, 4, 13, 7, 30, tzinfo=UTC)


def test_import_an_outlook_export_with_windows_zone_names(maya, db):
    users, teams = _ids(db)
    response = _upload(maya, outlook_export(), team_id=str(teams["Product"]))
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#summary-title").get_text() == "1 created, 3 skipped"
    skipped = {li.strong.get_text(): li.get_text() for li in page.select("#import-skipped li")}
    assert "BYSETPOS, which can't be kept" in skipped["Month-end close"]
    assert "both COUNT and UNTIL, which RFC 5545 forbids" in skipped["Broken rule"]
    assert "unknown time zone 'Mars Standard Time'" in skipped["On Mars"]
    with db.session() as session:
        series = session.scalars(select(MeetingSeries).where(MeetingSeries.title == "Roadmap sync")).one()
        assert series.time_zone == "Europe/Berlin" and series.team_id == teams["Product"]
        assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;WKST=MO;UNTIL=20260630T090000Z"
        rows = sorted(session.scalars(select(Meeting).where(Meeting.series_id == series.id)),
                      key=lambda m: m.recurrence_start)
        # 7 April is excluded in the file: the next meeting is 21 April, 11:00 in Berlin.
        assert [(m.recurrence_start, m.status) for m in rows] == [
            (datetime(2026, 4, 7, 9, 0, tzinfo=UTC), MeetingStatus.CANCELLED),
            (datetime(2026, 4, 21, 9, 0, tzinfo=UTC), MeetingStatus.SCHEDULED)]
        assert {a.user.email for a in rows[1].attendees} == {"maya@example.com", "elena@example.com",
                                                             "sam@example.com"}
        ics = ICalendarInvitations("https://meet.example.com").for_series(series, rows, "REQUEST", FIXED_NOW)
    assert_conforms(ics)
    until = datetime(2026, 7, 31, tzinfo=UTC)
    assert expanded(ics, datetime(2026, 3, 1, tzinfo=UTC), until) == _app_occurrences(db, series.id, until)
    assert [s for _, s, _ in expanded(ics, FIXED_NOW, until)] == [
        datetime(2026, m, d, 9, 0, tzinfo=UTC) for m, d in ((4, 21), (5, 5), (5, 19), (6, 2), (6, 16), (6, 30))]


def test_bad_files_import_nothing_and_say_why(maya, db):
    before = _count(db)
    cases = [(b"", "Choose an .ics file to import."),
             (b"\x89PNG\r\n\x1a\nnot a calendar", "This is not an iCalendar (.ics) file"),
             (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "The file holds no events (VEVENT)."),
             (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026XX\r\n", "This is not an iCalendar (.ics) file")]
    for content, message in cases:
        response = _upload(maya, content)
        assert response.status_code == 400, content
        error = BeautifulSoup(response.text, "html.parser").select_one("#f-file-error")
        assert error is not None and message in error.get_text(), (content, error)
    assert _count(db) == before


def test_importing_the_same_file_twice_creates_nothing_more(maya, db):
    _upload(maya, google_export())
    meetings, series = _count(db), _count(db, MeetingSeries)
    page = BeautifulSoup(_upload(maya, google_export()).text, "html.parser")
    assert page.select_one("#summary-title").get_text() == "0 created, 4 skipped"
    assert "Team stand-up: it was imported before (same UID)." in page.select_one("#import-skipped").get_text()
    assert (_count(db), _count(db, MeetingSeries)) == (meetings, series)


def test_people_outside_the_chosen_team_are_not_invited(maya, db):
    _, teams = _ids(db)
    page = BeautifulSoup(_upload(maya, outlook_export(), team_id=str(teams["Platform"])).text, "html.parser")
    assert "Not in Platform, so not invited: Elena Rossi, Sam Okafor." in page.select_one("#import-created").get_text()


def test_the_import_page_is_linked_and_labelled(maya):
    assert 'href="/meetings/import"' in maya.get("/meetings").text
    assert 'href="/meetings/import"' in maya.get("/meetings/new").text
    page = BeautifulSoup(maya.get("/meetings/import").text, "html.parser")
    assert page.select_one("label[for=f-file]") and page.select_one("label[for=f-team_id]")


def test_import_through_the_api(client, token, db):  # noqa: F811 (the token fixture)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/meetings/import", json={"ics": google_export().decode()}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["title"] for c in body["created"]] == ["Team stand-up (late today)", "Budget review"]
    assert body["created"][0]["kind"] == "series" and body["created"][0]["repeats"].startswith("FREQ=WEEKLY")
    assert {"title": "Easter", "reason": "an all-day event is not a meeting"} in body["skipped"]
    bad = client.post("/api/v1/meetings/import", json={"ics": "hello"}, headers=headers)
    assert bad.status_code in {400, 422} and "iCalendar" in bad.text


def test_the_parser_reads_the_zone_and_wall_clock():
    parsed = parse_calendar(outlook_export(), "UTC")
    [roadmap] = parsed.events
    assert roadmap.time_zone == "Europe/Berlin" and roadmap.start_local == datetime(2026, 3, 10, 11, 0)
    assert roadmap.exdates == [datetime(2026, 4, 7, 9, 0, tzinfo=UTC)]
    assert roadmap.start + timedelta(minutes=roadmap.duration_minutes) == datetime(2026, 3, 10, 10, 30, tzinfo=UTC)


def test_an_event_that_fails_half_way_leaves_nothing_behind(maya, db):
    """Its only meetings still to come are excluded: the series, its first meeting and its
    cancelled places are all rolled back, and the other events are still imported."""
    content = _ics(f"""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Google Inc//Google Calendar 70.9054//EN
        {BERLIN_VTIMEZONE}
        BEGIN:VEVENT
        UID:short-series@google.com
        DTSTAMP:20260320T100000Z
        DTSTART;TZID=Europe/Berlin:20260323T100000
        DTEND;TZID=Europe/Berlin:20260323T110000
        RRULE:FREQ=WEEKLY;COUNT=3
        EXDATE;TZID=Europe/Berlin:20260330T100000,20260406T100000
        SUMMARY:Short series
        END:VEVENT
        BEGIN:VEVENT
        UID:one-off@google.com
        DTSTAMP:20260320T100000Z
        DTSTART;TZID=Europe/Berlin:20260401T100000
        DTEND;TZID=Europe/Berlin:20260401T110000
        SUMMARY:Still imported
        END:VEVENT
        END:VCALENDAR
    """)
    meetings, series = _count(db), _count(db, MeetingSeries)
    page = BeautifulSoup(_upload(maya, content).text, "html.parser")
    assert page.select_one("#summary-title").get_text() == "1 created, 1 skipped"
    assert page.select_one("#import-skipped").get_text(strip=True) == "Short series: the series is over."
    assert (_count(db), _count(db, MeetingSeries)) == (meetings + 1, series)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting).where(Meeting.title == "Short series")) == 0


def test_broken_events_are_skipped_with_the_reason_and_never_raise():
    def one(lines: str) -> str:
        body = "\n".join(["BEGIN:VEVENT", "DTSTAMP:20260301T000000Z", lines, "SUMMARY:x", "END:VEVENT"])
        parsed = parse_calendar(_ics(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{body}\nEND:VCALENDAR"),
                                "Europe/Berlin")
        assert not parsed.events, parsed.events
        [(_, reason)] = parsed.skipped
        return reason

    assert one("UID:a\nDTSTART:20260401T100000Z\nDTEND:20260401T110000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX") == \
        "its repeat rule can't be read (FREQ=WEEKLY;BYDAY=XX)"
    assert one("UID:b\nDTSTART:20260401T100000Z\nDURATION:-PT1H") == "it lasts -60 minutes; meetings last 5 to 720"
    assert one("UID:c\nDTSTART:2026").startswith("it can't be read")
    assert one("UID:d\nDTSTART:20260401T100000Z\nDTEND:20260401T110000Z\nRRULE:FREQ=WEEKLY\nEXDATE:garbage") \
        .startswith("it can't be read")
    assert one("DTSTART:20260401T100000Z") == "it has no UID or no start"
    assert one("UID:e\nDTSTART:20260401T100000Z\nDTEND:20260401T110000Z\nRRULE:FREQ=SECONDLY") == \
        "it repeats secondly, which can't be kept"


def test_nul_characters_in_a_file_never_reach_the_database(maya, db):
    content = google_export().replace(b"SUMMARY:", b"SUMMARY:nul\x00", 1)
    response = _upload(maya, content)
    assert response.status_code < 500
    with db.session() as session:
        assert not any("\x00" in title for title in session.scalars(select(Meeting.title)))
