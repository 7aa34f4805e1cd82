"""Invitations as iTIP documents (RFC 5546) for email (iMIP, RFC 6047): METHOD:REQUEST and CANCEL.

A one-off meeting is one VEVENT with the meeting's UID. A series is one VEVENT with the series' UID
and its RRULE, an EXDATE for each cancelled occurrence and, for each occurrence moved or resized,
a VEVENT with the same UID and a RECURRENCE-ID (its original start). Every component carries the
SEQUENCE of what it belongs to, ORGANIZER and ATTENDEE (with PARTSTAT and RSVP) and DTSTAMP; every
zone used is written as a VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Event

from meetings.integrations.calendar import add_people, new_calendar, series_events, timed_event
from meetings.models import Meeting, MeetingSeries


def _document(title: str, method: str, events: Iterable[Event]) -> bytes:
    calendar = new_calendar(title)
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


class ICalendarInvitations:
    """Implements ``domain.invitations.InvitationCalendar`` with the icalendar library."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _event(self, uid: str, meeting: Meeting, sequence: int, now: datetime) -> Event:
        return timed_event(uid, meeting, self.base_url, sequence, now)

    def for_meeting(self, meeting: Meeting, method: str, now: datetime) -> bytes:
        """A one-off meeting: REQUEST when created or changed, CANCEL when cancelled."""
        event = self._event(meeting.uid, meeting, meeting.sequence, now)
        event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        add_people(event, meeting.organizer, [(a.user, a.response) for a in meeting.attendees])
        return _document(meeting.title, method, [event])

    def for_series(self, series: MeetingSeries, rows: list[Meeting], method: str, now: datetime) -> bytes:
        """The whole series: the rule, its cancelled occurrences (EXDATE) and its moved ones
        (RECURRENCE-ID); with CANCEL, the series as a whole is called off."""
        events = series_events(series, rows, self.base_url, now, cancelled=method == "CANCEL")
        return _document(str(events[0]["SUMMARY"]), method, events)

    def for_cancelled_occurrence(self, series: MeetingSeries, meeting: Meeting, now: datetime) -> bytes:
        """CANCEL of one occurrence (RFC 5546 3.2.5): the series' UID with its RECURRENCE-ID."""
        assert meeting.recurrence_start is not None
        zone = ZoneInfo(series.time_zone)
        event = self._event(series.uid, meeting, series.sequence, now)
        event.add("recurrence-id", meeting.recurrence_start.astimezone(zone))
        event.add("status", "CANCELLED")
        add_people(event, series.organizer, [(a.user, a.response) for a in series.attendees])
        return _document(meeting.title, "CANCEL", [event])
