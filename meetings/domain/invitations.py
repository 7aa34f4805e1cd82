"""Calendar invitations by email (iMIP): when a meeting or series is created, changed or cancelled,
its attendees get an email carrying the event (METHOD:REQUEST or CANCEL) that their mail client
offers to accept or decline, with links to answer here too.

Queued through the outbox in the caller's transaction: the change and its invitations are saved
together or not at all. The key of each email holds the event's SEQUENCE, so every change sends
again while a retry of the same change never sends twice.

The organiser gets no invitation: the event is theirs (as in Google Calendar and Outlook, which
send invitations to the other attendees only); they add it with the .ics download or the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.calendar_feed import series_rows
from meetings.domain.outbox import CalendarPart, EmailComposer, queue_email
from meetings.domain.recurrence import describe, occurrences
from meetings.domain.rsvp import RsvpLinks
from meetings.models import Meeting, MeetingAttendee, MeetingSeries, MeetingStatus, SeriesAttendee, User

MAX_SCAN = 2000  # occurrences looked at to tell whether a series still has one


class InvitationCalendar(Protocol):
    """Writes invitation documents (``integrations/calendar_invites.py`` implements it)."""

    def for_meeting(self, meeting: Meeting, method: str, now: datetime) -> bytes: ...

    def for_series(self, series: MeetingSeries, rows: list[Meeting], method: str, now: datetime) -> bytes: ...

    def for_cancelled_occurrence(self, series: MeetingSeries, meeting: Meeting, now: datetime) -> bytes: ...


@dataclass(frozen=True)
class Invitations:
    """What sending invitations needs: the email templates, the calendar writer, the answer links."""

    composer: EmailComposer
    calendar: InvitationCalendar
    links: RsvpLinks


def _when(start: datetime, user: User) -> str:
    local = start.astimezone(ZoneInfo(user.time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({user.time_zone})"


def _send(session: Session, invitations: Invitations, *, key: str, user: User, method: str, ics: bytes,
          context: dict[str, Any], now: datetime) -> int:
    """1 when queued, 0 when an email with that key (the same change) is queued already."""
    queued = queue_email(session, invitations.composer, key=key, kind="calendar_invitation", recipient=user.email,
                         user_id=user.id, template="calendar_invitation", now=now,
                         context={"name": user.name, "method": method, **context},
                         calendar=CalendarPart(method=method, ics=ics.decode()))
    return 0 if queued is None else 1


def _answer_links(invitations: Invitations, kind: str, object_id: int, user_id: int) -> dict[str, str]:
    url = f"{invitations.composer.base_url}/rsvp/{invitations.links.token(kind, object_id, user_id)}"
    return {"accept_link": f"{url}?answer=accepted", "decline_link": f"{url}?answer=declined", "answer_link": url}


def _recipients(organizer_id: int | None, users: list[User]) -> list[User]:
    return [u for u in users if u.is_active and u.id != organizer_id]


def meeting_invitations(session: Session, invitations: Invitations, meeting: Meeting, now: datetime) -> int:
    """Invite a meeting's attendees after it was created or changed (a REQUEST), or tell them it is
    cancelled (a CANCEL); a meeting of a series sends its series. Returns the emails queued (none
    for a change already sent: same SEQUENCE, same keys)."""
    if meeting.series_id is not None:
        series = session.get(MeetingSeries, meeting.series_id)
        assert series is not None
        if meeting.status is MeetingStatus.CANCELLED:
            return _occurrence_cancelled(session, invitations, series, meeting, now)
        return series_invitations(session, invitations, series, now)
    session.flush()
    session.refresh(meeting, ["attendees", "organizer"])
    method = "CANCEL" if meeting.status is MeetingStatus.CANCELLED else "REQUEST"
    ics = invitations.calendar.for_meeting(meeting, method, now)
    sent = 0
    for attendee in meeting.attendees:
        user = attendee.user
        if not user.is_active or user.id == meeting.organizer_id:
            continue
        key = f"calendar:meeting:{meeting.id}:{meeting.sequence}:{method}:{user.id}"
        sent += _send(session, invitations, key=key, user=user, method=method, ics=ics, now=now, context={
            "title": meeting.title, "when": _when(meeting.starts_at, user), "minutes": meeting.duration_minutes,
            "repeats": "", "organizer": meeting.organizer.name if meeting.organizer else "",
            "link": f"{invitations.composer.base_url}/meetings/{meeting.id}", "update": meeting.sequence > 0,
            **_answer_links(invitations, "m", meeting.id, user.id)})
    return sent


def _has_occurrences(series: MeetingSeries, rows: list[Meeting]) -> bool:
    cancelled = {m.recurrence_start for m in rows if m.status is MeetingStatus.CANCELLED}
    for count, (_, start) in enumerate(occurrences(series.rrule, series.first_start_local, series.time_zone)):
        if start not in cancelled:
            return True
        if count > MAX_SCAN:
            return True
    return False


def series_invitations(session: Session, invitations: Invitations, series: MeetingSeries, now: datetime) -> int:
    """Invite a series' attendees to the whole series as it now is (a REQUEST); a series left with
    no meeting at all is cancelled (a CANCEL). Returns the emails queued."""
    session.flush()
    series = session.scalars(select(MeetingSeries).where(MeetingSeries.id == series.id).options(
        selectinload(MeetingSeries.attendees).selectinload(SeriesAttendee.user),
        selectinload(MeetingSeries.organizer)).execution_options(populate_existing=True)).one()
    rows = series_rows(session, series.id)
    method = "REQUEST" if _has_occurrences(series, rows) else "CANCEL"
    ics = invitations.calendar.for_series(series, rows, method, now)
    upcoming = next((m for m in rows if m.status is not MeetingStatus.CANCELLED and m.starts_at >= now), None)
    sent = 0
    for user in _recipients(series.organizer_id, [a.user for a in series.attendees]):
        context = {"title": upcoming.title if upcoming else series.title, "minutes": series.duration_minutes,
                   "when": _when(upcoming.starts_at, user) if upcoming else "",
                   "repeats": describe(series.rrule, series.time_zone),
                   "organizer": series.organizer.name if series.organizer else "",
                   "link": f"{invitations.composer.base_url}/meetings/{upcoming.id}" if upcoming else
                   invitations.composer.base_url, "update": series.sequence > 0,
                   **_answer_links(invitations, "s", series.id, user.id)}
        key = f"calendar:series:{series.id}:{series.sequence}:{method}:{user.id}"
        sent += _send(session, invitations, key=key, user=user, method=method, ics=ics, now=now, context=context)
    return sent


def _occurrence_cancelled(session: Session, invitations: Invitations, series: MeetingSeries, meeting: Meeting,
                          now: datetime) -> int:
    session.flush()
    session.refresh(series, ["attendees", "organizer"])
    ics = invitations.calendar.for_cancelled_occurrence(series, meeting, now)
    attendee_ids = set(session.scalars(select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting.id)))
    users = [a.user for a in series.attendees if a.user_id in attendee_ids or not attendee_ids]
    sent = 0
    for user in _recipients(series.organizer_id, users):
        key = f"calendar:series:{series.id}:{series.sequence}:CANCEL:{meeting.id}:{user.id}"
        sent += _send(session, invitations, key=key, user=user, method="CANCEL", ics=ics, now=now, context={
            "title": meeting.title, "when": _when(meeting.starts_at, user), "minutes": meeting.duration_minutes,
            "repeats": "", "organizer": series.organizer.name if series.organizer else "",
            "link": f"{invitations.composer.base_url}/meetings/{meeting.id}", "update": True,
            "accept_link": "", "decline_link": "", "answer_link": ""})
    return sent


def series_changed(session: Session, invitations: Invitations, series_id: int, continuing: MeetingSeries | None,
                   now: datetime) -> int:
    """After a change from a date on: the series as it now is (cut short, changed, or cancelled when
    nothing is left of it), and the series that continues it, if that is a new one."""
    series = session.get(MeetingSeries, series_id)
    assert series is not None
    sent = series_invitations(session, invitations, series, now)
    if continuing is not None and continuing.id != series_id:
        sent += series_invitations(session, invitations, continuing, now)
    return sent


def uninvited(session: Session, invitations: Invitations, meeting: Meeting, user: User, now: datetime) -> int:
    """Tell a person taken off a meeting (or its series) that it is cancelled for them: a CANCEL to
    them alone (RFC 5546 removes an attendee so). The SEQUENCE goes up, so a later invitation, even
    to the same person again, is a new one."""
    session.flush()
    if meeting.series_id is not None:
        series = session.get(MeetingSeries, meeting.series_id)
        assert series is not None
        series.sequence += 1
        ics = invitations.calendar.for_series(series, series_rows(session, series.id), "CANCEL", now)
        key = f"calendar:series:{series.id}:{series.sequence}:CANCEL:removed:{user.id}"
        repeats = describe(series.rrule, series.time_zone)
    else:
        meeting.sequence += 1
        ics = invitations.calendar.for_meeting(meeting, "CANCEL", now)
        key = f"calendar:meeting:{meeting.id}:{meeting.sequence}:CANCEL:removed:{user.id}"
        repeats = ""
    organizer = session.get(User, meeting.organizer_id) if meeting.organizer_id else None
    return _send(session, invitations, key=key, user=user, method="CANCEL", ics=ics, now=now, context={
        "title": meeting.title, "when": _when(meeting.starts_at, user), "minutes": meeting.duration_minutes,
        "repeats": repeats, "organizer": organizer.name if organizer else "",
        "link": f"{invitations.composer.base_url}/meetings/{meeting.id}", "update": True,
        "accept_link": "", "decline_link": "", "answer_link": "", "removed": True})
