"""Meetings and series from a calendar file (``integrations/ical_import.py`` reads the file).

Each event becomes a meeting or a series with the importer as organiser; attendees whose address
belongs to someone here attend too. A series keeps its rule and zone; its cancelled occurrences
(EXDATE, or a cancelled RECURRENCE-ID) are kept as cancelled occurrences, a moved next occurrence
is moved, and a moved later one becomes a meeting of its own (only the next occurrence of a series
exists ahead of time here). Each event is imported whole or not at all, and the summary says what
was created and what was skipped and why. Importing sends no invitations: the people in an
exported calendar have the event already.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.recurrence import occurrences
from meetings.domain.scheduling import MeetingRequest, create_meeting, ensure_next_occurrence
from meetings.models import Meeting, MeetingSeries, MeetingStatus, Team, TeamMembership, User

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ImportedOccurrence:
    """A changed or cancelled occurrence of a recurring event (a VEVENT with RECURRENCE-ID)."""

    recurrence_id: datetime  # UTC: the occurrence's original start
    start: datetime  # UTC
    duration_minutes: int
    title: str
    cancelled: bool


@dataclass
class ImportedEvent:
    """One meeting or series as read from the file."""

    uid: str
    title: str
    description: str
    start_local: datetime  # wall clock in ``time_zone``, naive
    time_zone: str
    duration_minutes: int
    rule: str | None = None
    exdates: list[datetime] = field(default_factory=list)  # UTC
    occurrences: list[ImportedOccurrence] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)  # attendees and organiser, lower case
    notes: list[str] = field(default_factory=list)  # parts not kept, said plainly

    @property
    def start(self) -> datetime:
        """The first start, in UTC."""
        return self.start_local.replace(tzinfo=ZoneInfo(self.time_zone)).astimezone(UTC)


@dataclass
class ParsedCalendar:
    """The events that can be imported, and (title, reason) for each one that can't."""

    events: list[ImportedEvent]
    skipped: list[tuple[str, str]]


@dataclass(frozen=True)
class ImportedItem:
    """One meeting or series created by an import."""

    title: str
    kind: str  # "meeting" or "series"
    meeting_id: int  # the meeting, or the series' next one
    starts_at: datetime
    time_zone: str
    repeats: str | None
    attendees: int
    notes: list[str]


@dataclass
class ImportSummary:
    """What an import created, and what it skipped with the reason."""

    created: list[ImportedItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _uid_taken(session: Session, uid: str) -> bool:
    return session.scalar(select(Meeting.id).where(Meeting.uid == uid)) is not None or \
        session.scalar(select(MeetingSeries.id).where(MeetingSeries.uid == uid)) is not None


def _people(session: Session, user: User, team: Team | None, emails: list[str]) -> tuple[list[int], list[str]]:
    """Attendee ids for the addresses that belong to people here, and notes on the others."""
    found = {u.email.lower(): u for u in session.scalars(
        select(User).where(func.lower(User.email).in_(emails), User.is_active))} if emails else {}
    members = set(session.scalars(select(TeamMembership.user_id).where(TeamMembership.team_id == team.id))) \
        if team else None
    ids, outside, unknown = [], [], []
    for email in emails:
        person = found.get(email)
        if person is None:
            unknown.append(email)
        elif person.id == user.id:
            continue
        elif members is not None and person.id not in members:
            outside.append(person.name)
        else:
            ids.append(person.id)
    notes = []
    if unknown:
        notes.append(f"not people here, so not invited: {', '.join(unknown)}")
    if outside and team is not None:
        notes.append(f"not in {team.name}, so not invited: {', '.join(outside)}")
    return list(dict.fromkeys(ids)), notes


def _request(event: ImportedEvent, team: Team | None, attendee_ids: list[int], start_local: datetime,
             duration: int, rule: str | None) -> MeetingRequest:
    return MeetingRequest(
        team_id=team.id if team else None, title=event.title.replace("{{", "{ {"), date=start_local.date().isoformat(),
        time=start_local.strftime("%H:%M"), time_zone=event.time_zone, duration_minutes=str(duration),
        attendee_ids=attendee_ids, visibility="team" if team else "attendees", rule=rule)


def _placeholder(session: Session, series: MeetingSeries, like: Meeting, start: datetime, number: int) -> None:
    """A cancelled occurrence ahead of time: holds its place (and the calendar's EXDATE)."""
    session.add(Meeting(
        uid=f"{uuid.uuid4()}", series_id=series.id, recurrence_start=start,
        occurrence_number=number, team_id=series.team_id, organizer_id=series.organizer_id, title=like.title,
        starts_at=start, duration_minutes=series.duration_minutes, time_zone=series.time_zone,
        visibility=series.visibility, status=MeetingStatus.CANCELLED))


def _import_series(session: Session, actor: Actor, user: User, event: ImportedEvent, team: Team | None,
                   attendee_ids: list[int], now: datetime) -> tuple[Meeting, list[str]]:
    """The series with its next meeting; the file's exceptions still to come are kept: cancelled
    ones as cancelled occurrences, a moved next meeting moved, a moved later one as a meeting of
    its own (its place in the series cancelled)."""
    assert event.rule is not None
    notes = list(event.notes)
    first = create_meeting(session, actor, user, _request(event, team, attendee_ids, event.start_local,
                                                          event.duration_minutes, event.rule), now)
    series = first.series
    assert series is not None
    series.uid, series.description = event.uid, event.description
    duration = timedelta(minutes=event.duration_minutes)
    upcoming = [(n, s) for n, s in _occurrences_until(series, now, event) if s + duration > now]
    dropped = {*event.exdates, *(o.recurrence_id for o in event.occurrences if o.cancelled)}
    moved = {o.recurrence_id: o for o in event.occurrences if not o.cancelled}
    following = next((s for _, s in upcoming if s not in dropped), None)
    held = {s: n for n, s in upcoming if s in dropped or (s in moved and s != following)}
    for start, number in held.items():
        if start != first.recurrence_start:
            _placeholder(session, series, first, start, number)
    session.flush()
    current: Meeting | None = first
    if first.recurrence_start in held:
        first.status = MeetingStatus.CANCELLED
        current = ensure_next_occurrence(session, series, now)  # steps over the places held
    if current is None:
        raise ValidationError({"date": "This series has no meeting after now."})
    change = moved.get(current.recurrence_start) if current.recurrence_start else None
    if change is not None:
        current.starts_at, current.duration_minutes, current.title = change.start, change.duration_minutes, change.title
        notes.append("its next meeting is moved as in the file")
    for start in sorted(held.keys() & moved.keys()):
        change = moved[start]
        local = change.start.astimezone(ZoneInfo(event.time_zone)).replace(tzinfo=None)
        alone = create_meeting(session, actor, user, _request(event, team, attendee_ids, local,
                                                              change.duration_minutes, None), now)
        alone.uid, alone.title = f"{event.uid}/{start:%Y%m%dT%H%M%SZ}"[:255], change.title
        notes.append(f"the occurrence moved to {local:%d %b %Y %H:%M} is a meeting of its own")
    cancelled = len(held.keys() & dropped)
    if cancelled:
        notes.append(f"{cancelled} cancelled occurrence{'s' if cancelled > 1 else ''} kept as cancelled")
    return current, notes


def _occurrences_until(series: MeetingSeries, now: datetime, event: ImportedEvent) -> list[tuple[int, datetime]]:
    """The series' occurrences up to its last changed or cancelled one that is still to come."""
    marks = [*event.exdates, *(o.recurrence_id for o in event.occurrences)]
    last = max([m for m in marks if m > now - timedelta(days=1)], default=None)
    if last is None:
        return []
    found = []
    for number, start in occurrences(series.rrule, series.first_start_local, series.time_zone):
        if start > last:
            break
        found.append((number, start))
    return found


def import_events(session: Session, actor: Actor, user: User, parsed: ParsedCalendar, team_id: int | None,
                  now: datetime) -> ImportSummary:
    """Create what ``parsed`` holds; each event is created whole or skipped with the reason."""
    team = session.get(Team, team_id) if team_id else None
    if team_id and (team is None or team_id not in actor.team_ids):
        raise ValidationError({"team_id": "Choose one of your teams."})
    summary = ImportSummary(skipped=list(parsed.skipped))
    for event in sorted(parsed.events, key=lambda e: e.start):
        if _uid_taken(session, event.uid):
            summary.skipped.append((event.title, "it was imported before (same UID)"))
            continue
        if event.rule is None and event.start + timedelta(minutes=event.duration_minutes) <= now:
            summary.skipped.append((event.title, "it is over"))
            continue
        attendee_ids, notes = _people(session, user, team, event.emails)
        try:
            with session.begin_nested():
                if event.rule is None:
                    meeting = create_meeting(session, actor, user, _request(
                        event, team, attendee_ids, event.start_local, event.duration_minutes, None), now)
                    meeting.uid, meeting.description = event.uid, event.description
                    notes = [*event.notes, *notes]
                else:
                    meeting, series_notes = _import_series(session, actor, user, event, team, attendee_ids, now)
                    notes = [*series_notes, *notes]
                session.flush()
        except ValidationError as exc:
            reason = "; ".join(exc.errors.values())
            if "no meeting after now" in reason:
                reason = "the series is over"
            summary.skipped.append((event.title, reason))
            continue
        except IntegrityError:  # e.g. the same UID twice, once changed: that event only is left out
            summary.skipped.append((event.title, "it clashes with a meeting here (same UID)"))
            continue
        summary.created.append(ImportedItem(
            title=meeting.title, kind="series" if event.rule else "meeting", meeting_id=meeting.id,
            starts_at=meeting.starts_at.astimezone(UTC), time_zone=meeting.time_zone, repeats=event.rule,
            attendees=len(attendee_ids), notes=notes))
    return summary
