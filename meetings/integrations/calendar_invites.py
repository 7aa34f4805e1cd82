"""Invitations as iTIP documents (RFC 5546) for email (iMIP, RFC 6047): METHOD:REQUEST and CANCEL.

A one-off meeting is one VEVENT with the meeting's UID. A series is one VEVENT with the series' UID
and its RRULE, an EXDATE for each cancelled occurrence and, for each occurrence moved or resized,
a VEVENT with the same UID and a RECURRENCE-ID (its original start). Every component carries the
SEQUENCE of what it belongs to, ORGANIZER and ATTENDEE (with PARTSTAT and RSVP) and DTSTAMP; every
zone used is written as a VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Event, vCalAddress, vRecur

from meetings.integrations.calendar import new_calendar, uid_host
from meetings.models import AttendeeResponse, Meeting, MeetingSeries, MeetingStatus, User

PARTSTAT = {AttendeeResponse.NEEDS_ACTION: "NEEDS-ACTION", AttendeeResponse.ACCEPTED: "ACCEPTED",
            AttendeeResponse.DECLINED: "DECLINED", AttendeeResponse.TENTATIVE: "TENTATIVE"}


def _address(user: User) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.name
    return address


def _people(event: Event, organizer: User | None, attendees: Iterable[tuple[User, AttendeeResponse]]) -> None:
    if organizer is not None:
        event.add("organizer", _address(organizer))
    for user, response in attendees:
        address = _address(user)
        is_organizer = organizer is not None and user.id == organizer.id
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "CHAIR" if is_organizer else "REQ-PARTICIPANT"
        # The organiser made the meeting: they attend unless they said otherwise.
        partstat = "ACCEPTED" if is_organizer and response is AttendeeResponse.NEEDS_ACTION else PARTSTAT[response]
        address.params["PARTSTAT"] = partstat
        if not is_organizer:
            address.params["RSVP"] = "TRUE"
        event.add("attendee", address, encode=False)


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
        self.host = uid_host(base_url)

    def _event(self, uid: str, meeting: Meeting, sequence: int, now: datetime) -> Event:
        zone = ZoneInfo(meeting.time_zone)
        event = Event()
        event.add("uid", f"{uid}@{self.host}")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at.astimezone(zone))
        event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes)).astimezone(zone))
        event.add("summary", meeting.title)
        event.add("description", f"Agenda and notes: {self.base_url}/meetings/{meeting.id}")
        event.add("url", f"{self.base_url}/meetings/{meeting.id}")
        event.add("sequence", sequence)
        return event

    def for_meeting(self, meeting: Meeting, method: str, now: datetime) -> bytes:
        """A one-off meeting: REQUEST when created or changed, CANCEL when cancelled."""
        event = self._event(meeting.uid, meeting, meeting.sequence, now)
        event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        _people(event, meeting.organizer, [(a.user, a.response) for a in meeting.attendees])
        return _document(meeting.title, method, [event])

    def for_series(self, series: MeetingSeries, rows: list[Meeting], method: str, now: datetime) -> bytes:
        """The whole series: the rule, its cancelled occurrences (EXDATE) and its moved ones
        (RECURRENCE-ID); with CANCEL, the series as a whole is called off."""
        zone = ZoneInfo(series.time_zone)
        first = datetime.fromisoformat(series.first_start_local).replace(tzinfo=zone)
        title = _series_title(series, rows)
        attendees = [(a.user, a.response) for a in series.attendees]
        master = Event()
        master.add("uid", f"{series.uid}@{self.host}")
        master.add("dtstamp", now)
        master.add("dtstart", first)
        master.add("dtend", first + timedelta(minutes=series.duration_minutes))
        master.add("rrule", vRecur.from_ical(series.rrule))
        master.add("summary", title)
        upcoming = next((m for m in rows if m.status is not MeetingStatus.CANCELLED and m.starts_at >= now), None)
        if upcoming is not None:
            master.add("description", f"Agenda and notes: {self.base_url}/meetings/{upcoming.id}")
            master.add("url", f"{self.base_url}/meetings/{upcoming.id}")
        master.add("sequence", series.sequence)
        master.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        cancelled = sorted(m.recurrence_start for m in rows
                           if m.status is MeetingStatus.CANCELLED and m.recurrence_start is not None)
        if cancelled and method != "CANCEL":
            master.add("exdate", [start.astimezone(zone) for start in cancelled])
        _people(master, series.organizer, attendees)
        events = [master]
        if method != "CANCEL":
            for meeting in rows:
                if meeting.status is MeetingStatus.CANCELLED or meeting.recurrence_start is None:
                    continue
                if meeting.starts_at == meeting.recurrence_start and \
                        meeting.duration_minutes == series.duration_minutes:
                    continue  # as the rule says: nothing to override
                override = self._event(series.uid, meeting, series.sequence, now)
                override.add("recurrence-id", meeting.recurrence_start.astimezone(zone))
                override.add("status", "CONFIRMED")
                _people(override, series.organizer, attendees)
                events.append(override)
        return _document(title, method, events)

    def for_cancelled_occurrence(self, series: MeetingSeries, meeting: Meeting, now: datetime) -> bytes:
        """CANCEL of one occurrence (RFC 5546 3.2.5): the series' UID with its RECURRENCE-ID."""
        assert meeting.recurrence_start is not None
        zone = ZoneInfo(series.time_zone)
        event = self._event(series.uid, meeting, series.sequence, now)
        event.add("recurrence-id", meeting.recurrence_start.astimezone(zone))
        event.add("status", "CANCELLED")
        _people(event, series.organizer, [(a.user, a.response) for a in series.attendees])
        return _document(meeting.title, "CANCEL", [event])


def _series_title(series: MeetingSeries, rows: list[Meeting]) -> str:
    """A series title may hold template variables ({{ sprint_number }}): name it after an
    occurrence then, whose title has them filled in."""
    if "{{" not in series.title:
        return series.title
    live = [m for m in rows if m.status is not MeetingStatus.CANCELLED]
    return live[-1].title if live else series.title.replace("{{", "").replace("}}", "")
