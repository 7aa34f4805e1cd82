"""iCalendar (RFC 5545) documents: meetings as VEVENTs, action items as VTODOs, with the icalendar
library. Time zones are written as VTIMEZONE components for every zone used."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Todo

from meetings import __version__
from meetings.models import ActionItem, ActionItemStatus, Meeting, MeetingStatus

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


def meeting_event(meeting: Meeting, base_url: str, now: datetime) -> Event:
    """A VEVENT in the meeting's own zone, with a stable UID and its SEQUENCE."""
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", f"{meeting.uid}@{uid_host(base_url)}")
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes)).astimezone(zone))
    event.add("summary", meeting.title)
    event.add("url", f"{base_url}/meetings/{meeting.id}")
    event.add("description", f"Agenda and notes: {base_url}/meetings/{meeting.id}")
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED")
    return event


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


def meeting_calendar(meeting: Meeting, base_url: str, now: datetime) -> bytes:
    """One meeting as an .ics file."""
    calendar = new_calendar(meeting.title)
    calendar.add_component(meeting_event(meeting, base_url, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_calendar(name: str, meetings: Iterable[Meeting], items: Iterable[tuple[ActionItem, str]], base_url: str,
                  now: datetime) -> bytes:
    """A subscription feed: meetings and action items (each with its meeting's UID)."""
    calendar = new_calendar(name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url, now))
    for item, meeting_uid in items:
        calendar.add_component(action_item_todo(item, meeting_uid, base_url, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
