"""iCalendar (RFC 5545) documents: meetings as VEVENTs, action items as VTODOs, with the icalendar
library. Time zones are written as VTIMEZONE components for every zone used."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Todo, vCalAddress, vRecur

from meetings import __version__
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AttendeeResponse,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    User,
)

TODO_STATUS = {ActionItemStatus.OPEN: "NEEDS-ACTION", ActionItemStatus.DONE: "COMPLETED",
               ActionItemStatus.CANCELLED: "CANCELLED"}


def new_calendar(name: str) -> Calendar:
    """An empty VCALENDAR named ``name``."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Meetings//Meetings {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def uid_host(base_url: str) -> str:
    """The host name that makes UIDs unique to this installation (RFC 5545 3.8.4.7)."""
    return urlsplit(base_url).hostname or "localhost"


def timed_event(uid: str, meeting: Meeting, base_url: str, sequence: int, now: datetime) -> Event:
    """The VEVENT fields every calendar we write shares: the meeting's time in its own zone, title,
    link, UID (``uid`` at this installation's host) and SEQUENCE."""
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", f"{uid}@{uid_host(base_url)}")
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes)).astimezone(zone))
    event.add("summary", meeting.title)
    event.add("url", f"{base_url}/meetings/{meeting.id}")
    event.add("description", f"Agenda and notes: {base_url}/meetings/{meeting.id}")
    event.add("sequence", sequence)
    return event


def meeting_event(meeting: Meeting, base_url: str, now: datetime) -> Event:
    """A VEVENT in the meeting's own zone, with a stable UID and its SEQUENCE."""
    event = timed_event(meeting.uid, meeting, base_url, meeting.sequence, now)
    event.add("status", "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED")
    return event


PARTSTAT = {AttendeeResponse.NEEDS_ACTION: "NEEDS-ACTION", AttendeeResponse.ACCEPTED: "ACCEPTED",
            AttendeeResponse.DECLINED: "DECLINED", AttendeeResponse.TENTATIVE: "TENTATIVE"}


def _address(user: User) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.name
    return address


def add_people(event: Event, organizer: User | None, attendees: Iterable[tuple[User, AttendeeResponse]]) -> None:
    """ORGANIZER, and an ATTENDEE for each person with their answer (PARTSTAT)."""
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


def series_events(series: MeetingSeries, rows: list[Meeting], base_url: str, now: datetime, *,
                  cancelled: bool = False) -> list[Event]:
    """A series as iCalendar sees it: one VEVENT with the series' UID and RRULE, an EXDATE for each
    cancelled occurrence, and a VEVENT with RECURRENCE-ID for each moved or resized one; all with
    the series' SEQUENCE. ``rows`` are the series' meetings (cancelled ones included). With
    ``cancelled``, the series as a whole is called off (STATUS:CANCELLED, no exceptions)."""
    zone = ZoneInfo(series.time_zone)
    host = uid_host(base_url)
    first = datetime.fromisoformat(series.first_start_local).replace(tzinfo=zone)
    attendees = [(a.user, a.response) for a in series.attendees]
    master = Event()
    master.add("uid", f"{series.uid}@{host}")
    master.add("dtstamp", now)
    master.add("dtstart", first)
    master.add("dtend", first + timedelta(minutes=series.duration_minutes))
    master.add("rrule", vRecur.from_ical(series.rrule))
    master.add("summary", _series_title(series, rows))
    upcoming = next((m for m in rows if m.status is not MeetingStatus.CANCELLED and m.starts_at >= now), None)
    if upcoming is not None:
        master.add("description", f"Agenda and notes: {base_url}/meetings/{upcoming.id}")
        master.add("url", f"{base_url}/meetings/{upcoming.id}")
    master.add("sequence", series.sequence)
    master.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    add_people(master, series.organizer, attendees)
    if cancelled:
        return [master]
    excluded = sorted(m.recurrence_start for m in rows
                      if m.status is MeetingStatus.CANCELLED and m.recurrence_start is not None)
    if excluded:
        master.add("exdate", [start.astimezone(zone) for start in excluded])
    events = [master]
    for meeting in rows:
        if meeting.status is MeetingStatus.CANCELLED or meeting.recurrence_start is None:
            continue
        if meeting.starts_at == meeting.recurrence_start and meeting.duration_minutes == series.duration_minutes:
            continue  # as the rule says: nothing to override
        override = Event()
        override.add("uid", f"{series.uid}@{host}")
        override.add("dtstamp", now)
        override.add("recurrence-id", meeting.recurrence_start.astimezone(zone))
        override.add("dtstart", meeting.starts_at.astimezone(zone))
        override.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes)).astimezone(zone))
        override.add("summary", meeting.title)
        override.add("description", f"Agenda and notes: {base_url}/meetings/{meeting.id}")
        override.add("url", f"{base_url}/meetings/{meeting.id}")
        override.add("sequence", series.sequence)
        override.add("status", "CONFIRMED")
        add_people(override, series.organizer, attendees)
        events.append(override)
    return events


def _series_title(series: MeetingSeries, rows: list[Meeting]) -> str:
    """A series title may hold template variables ({{ sprint_number }}): name it after an
    occurrence then, whose title has them filled in."""
    if "{{" not in series.title:
        return series.title
    live = [m for m in rows if m.status is not MeetingStatus.CANCELLED]
    return live[-1].title if live else series.title.replace("{{", "").replace("}}", "")


def action_item_todo(item: ActionItem, meeting_uid: str, base_url: str, now: datetime) -> Todo:
    """A VTODO: UID, DTSTAMP, SUMMARY, DUE, STATUS, COMPLETED (UTC), RELATED-TO its meeting, URL."""
    todo = Todo()
    todo.add("uid", f"action-item-{item.id}@{uid_host(base_url)}")
    todo.add("dtstamp", now)
    todo.add("summary", item.title)
    if item.description:
        todo.add("description", item.description)
    if item.due_date:
        todo.add("due", item.due_date)
    todo.add("status", TODO_STATUS[item.status])
    if item.completed_at is not None:
        todo.add("completed", item.completed_at)
    todo.add("related-to", f"{meeting_uid}@{uid_host(base_url)}")
    todo.add("url", f"{base_url}/meetings/{item.meeting_id}#action-{item.id}")
    return todo


def meeting_calendar(meeting: Meeting, base_url: str, now: datetime,
                     series_rows: list[Meeting] | None = None) -> bytes:
    """One meeting as an .ics file; a meeting of a series (given its ``series_rows``) as its whole
    series, with the UID the invitations carry, so that a calendar keeps one copy of it."""
    calendar = new_calendar(meeting.title)
    if meeting.series is not None and series_rows is not None:
        for event in series_events(meeting.series, series_rows, base_url, now):
            calendar.add_component(event)
    else:
        calendar.add_component(meeting_event(meeting, base_url, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_calendar(name: str, meetings: Iterable[Meeting], items: Iterable[tuple[ActionItem, str]], base_url: str,
                  now: datetime, series: Iterable[tuple[MeetingSeries, list[Meeting]]] = ()) -> bytes:
    """A subscription feed: one-off meetings, whole series (``series``, each with its meetings, as
    the invitations have them) and action items (each with its meeting's UID)."""
    calendar = new_calendar(name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url, now))
    for one_series, rows in series:
        for event in series_events(one_series, rows, base_url, now):
            calendar.add_component(event)
    for item, meeting_uid in items:
        calendar.add_component(action_item_todo(item, meeting_uid, base_url, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
