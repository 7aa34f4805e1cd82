"""Creating meetings and series, keeping the next occurrence ready, and changing occurrences."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor, can_see_meeting
from meetings.domain.agenda_setup import (
    add_template_agenda,
    carry_over,
    owners_by_role,
    previous_occurrence,
    template_values,
)
from meetings.domain.agenda_templates import VARIABLE, VARIABLES, AgendaTemplate
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.domain.recurrence import RecurrenceChoice, build_rule, occurrences
from meetings.domain.template_catalog import find_template
from meetings.domain.users import is_valid_time_zone
from meetings.domain.webhook_events import meeting_event
from meetings.models import (
    AttendeeResponse,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    SeriesAttendee,
    Team,
    TeamMembership,
    User,
    Visibility,
)

MAX_TITLE = 200


@dataclass
class MeetingRequest:
    """The new-meeting form (or API body) as typed: texts are parsed and checked here."""

    team_id: int | None
    title: str = ""
    template: AgendaTemplate | None = None
    date: str = ""
    time: str = ""
    time_zone: str = "UTC"
    duration_minutes: str = ""
    attendee_ids: list[int] = field(default_factory=list)
    visibility: str = "team"
    recurrence: RecurrenceChoice = field(default_factory=RecurrenceChoice)
    sprint_start: str = "1"
    carry_over: bool = True
    rule: str | None = None  # an RRULE as it came in a calendar import; replaces ``recurrence``


def parse_when(request: MeetingRequest, errors: dict[str, str]) -> tuple[datetime | None, int | None, int]:
    """Start (aware, local), length in minutes and first sprint number of a request; problems go to
    ``errors`` by field."""
    start = None
    try:
        day = date.fromisoformat(request.date.strip())
    except ValueError:
        errors["date"] = "Enter a date like 2026-03-31."
        day = None
    try:
        clock = time.fromisoformat(request.time.strip())
    except ValueError:
        errors["time"] = "Enter a time like 09:30."
        clock = None
    if not is_valid_time_zone(request.time_zone):
        errors["time_zone"] = "Choose a time zone from the list."
    elif day and clock:
        start = datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=ZoneInfo(request.time_zone))
    duration = None
    text = request.duration_minutes.strip()
    if not text and request.template:
        duration = request.template.spec.duration_minutes
    elif text.isdigit() and 5 <= int(text) <= 720:
        duration = int(text)
    else:
        errors["duration_minutes"] = "Enter a length from 5 to 720 minutes."
    sprint = request.sprint_start.strip() or "1"
    if not sprint.isdigit() or not 1 <= int(sprint) <= 100000:
        errors["sprint_start"] = "Enter a whole number, like 42."
        sprint = "1"
    return start, duration, int(sprint)


def _title(request: MeetingRequest, errors: dict[str, str]) -> str:
    title = request.title.strip() or (request.template.spec.title if request.template else "")
    if not title:
        errors["title"] = "Enter a title, or choose a template."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Use at most {MAX_TITLE} characters."
    unknown = [n for n in VARIABLE.findall(title) if n not in VARIABLES or n == "meeting_title"]
    if unknown:
        errors["title"] = f"Unknown variable {{{{ {unknown[0]} }}}} in the title."
    return title


def _people(session: Session, actor: Actor, organizer: User, request: MeetingRequest,
            errors: dict[str, str]) -> tuple[Team | None, list[User]]:
    team = session.get(Team, request.team_id) if request.team_id else None
    if request.team_id and (team is None or request.team_id not in actor.team_ids):
        errors["team_id"] = "Choose one of your teams."
        team = None
    ids = list(dict.fromkeys([organizer.id, *request.attendee_ids]))
    attendees = list(session.scalars(select(User).where(User.id.in_(ids), User.is_active)))
    if len(attendees) != len(ids):
        errors["attendee_ids"] = "Choose attendees from the list."
    elif team is not None:
        members = set(session.scalars(select(TeamMembership.user_id).where(TeamMembership.team_id == team.id)))
        outsiders = [u.name for u in attendees if u.id not in members]
        if outsiders:
            errors["attendee_ids"] = f"Not in {team.name}: {', '.join(sorted(outsiders))}."
    try:
        visibility = Visibility(request.visibility)
    except ValueError:
        errors["visibility"] = "Choose who can see the meeting."
        visibility = Visibility.ATTENDEES
    if visibility is Visibility.PRIVATE and len(attendees) != 2:
        errors["visibility"] = "A private 1-on-1 has exactly two people: you and one other attendee."
    if visibility is Visibility.TEAM and team is None:
        errors["visibility"] = "Choose a team, or make the meeting visible to its attendees only."
    return team, attendees


def create_meeting(session: Session, actor: Actor, organizer: User, request: MeetingRequest, now: datetime) -> Meeting:
    """A one-off meeting, or a series with its first occurrence, with the template's agenda.
    Every problem is reported at once, by field; nothing is written then."""
    errors: dict[str, str] = {}
    start, duration, sprint_start = parse_when(request, errors)
    title = _title(request, errors)
    team, attendees = _people(session, actor, organizer, request, errors)
    rule = request.rule
    if start is not None and rule is None:
        try:
            rule = build_rule(request.recurrence, start)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    assert start is not None and duration is not None
    template_key = request.template.key if request.template else None
    if rule is None:
        return _materialize(session, None, title=title, team=team, organizer=organizer, attendees=attendees,
                            start=start, time_zone=request.time_zone, duration=duration, visibility=Visibility(request.visibility),
                            template=request.template, number=None, sprint=sprint_start, now=now)
    series = MeetingSeries(
        uid=f"{uuid.uuid4()}", team_id=team.id if team else None, organizer_id=organizer.id, title=title,
        template_key=template_key, rrule=rule, first_start_local=start.replace(tzinfo=None).isoformat(),
        time_zone=request.time_zone, duration_minutes=duration, visibility=Visibility(request.visibility),
        carry_over=request.carry_over, sprint_start=sprint_start,
        attendees=[SeriesAttendee(user_id=u.id) for u in attendees],
    )
    session.add(series)
    session.flush()
    meeting = ensure_next_occurrence(session, series, now, templates={template_key: request.template})
    if meeting is None:
        raise ValidationError({"date": "This series has no meeting after now: check its dates."})
    return meeting


def _materialize(session: Session, series: MeetingSeries | None, *, title: str, team: Team | None,
                 organizer: User, attendees: list[User], start: datetime, time_zone: str, duration: int,
                 visibility: Visibility, template: AgendaTemplate | None, number: int | None, sprint: int,
                 now: datetime, responses: dict[int, AttendeeResponse] | None = None) -> Meeting:
    zone = time_zone
    # Keep UTC in memory too: Python subtracts two datetimes sharing one tzinfo by wall clock.
    start = start.astimezone(UTC)
    meeting = Meeting(
        uid=f"{uuid.uuid4()}", series_id=series.id if series else None,
        recurrence_start=start if series else None, occurrence_number=number,
        team_id=team.id if team else None, organizer_id=organizer.id, title="",
        template_key=template.key if template else None, starts_at=start, duration_minutes=duration,
        time_zone=zone, visibility=visibility,
        attendees=[MeetingAttendee(user_id=u.id, response=(responses or {}).get(u.id, AttendeeResponse.NEEDS_ACTION))
                   for u in attendees],
    )
    session.add(meeting)
    session.flush()
    previous = previous_occurrence(session, meeting)
    values = template_values(session, title=title, starts_at=start, time_zone=zone, team=team,
                             organizer=organizer, attendees=attendees, sprint_number=sprint, previous=previous)
    meeting.title = values["meeting_title"][:MAX_TITLE]
    if template is not None:
        add_template_agenda(session, meeting, template, values, owners_by_role(session, organizer, attendees))
    if previous is not None and series is not None and series.carry_over:
        carry_over(session, previous, meeting)
    meeting_event(session, meeting, "meeting.created", now)
    return meeting


def _is_over(meeting: Meeting, now: datetime) -> bool:
    if meeting.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        return True
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now


def ensure_next_occurrence(session: Session, series: MeetingSeries, now: datetime,
                           templates: dict[str | None, AgendaTemplate | None] | None = None) -> Meeting | None:
    """Create the series' next occurrence unless one is still to come: at most one ahead, so a
    series never grows unbounded. Returns the occurrence created, or None."""
    existing = list(session.scalars(select(Meeting).where(Meeting.series_id == series.id)))
    if any(not _is_over(m, now) for m in existing):
        return None
    # Occurrences cancelled ahead of time (an imported EXDATE) keep their place without being the
    # latest: the ones before them are still to come.
    ahead = {m.recurrence_start for m in existing if m.status is MeetingStatus.CANCELLED
             and m.recurrence_start is not None and m.recurrence_start > now}
    latest = max((m.recurrence_start for m in existing if m.recurrence_start and m.recurrence_start not in ahead),
                 default=None)
    duration = timedelta(minutes=series.duration_minutes)
    for index, start in occurrences(series.rrule, series.first_start_local, series.time_zone, after=latest):
        if start + duration > now and start not in ahead:
            break
    else:
        return None  # the series has ended
    template = (templates or {}).get(series.template_key)
    if template is None and series.template_key:
        template = find_template(session, series.template_key, series.team_id)
    members = list(session.scalars(
        select(SeriesAttendee).where(SeriesAttendee.series_id == series.id).options(selectinload(SeriesAttendee.user))))
    attendees = [a.user for a in members]
    organizer = session.get(User, series.organizer_id) if series.organizer_id else attendees[0]
    return _materialize(session, series, title=series.title, team=session.get(Team, series.team_id)
                        if series.team_id else None, organizer=organizer, attendees=attendees,
                        start=start.astimezone(ZoneInfo(series.time_zone)), time_zone=series.time_zone,
                        duration=series.duration_minutes,
                        visibility=series.visibility, template=template, number=index,
                        sprint=series.sprint_start + index - 1, now=now,
                        responses={a.user_id: a.response for a in members})


def next_meeting_of(session: Session, series_id: int, now: datetime) -> Meeting | None:
    """The series' next (or current) meeting that is not cancelled."""
    candidates = session.scalars(select(Meeting).where(
        Meeting.series_id == series_id, Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.starts_at))
    return next((m for m in candidates if not _is_over(m, now)), None)


def meeting_for_change(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    """Organiser and attendees change a meeting's schedule; others who may see it get 403."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not can_see_meeting(session, actor, meeting_id):
        raise NotFoundError(f"meeting {meeting_id}")
    attendee_ids = set(session.scalars(select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting_id)))
    if actor.user_id != meeting.organizer_id and actor.user_id not in attendee_ids:
        raise ForbiddenError("Only the organiser and the attendees can change this meeting.")
    return meeting


def end_meeting(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting | None:
    """Mark the meeting ended; for a series, the next occurrence is made ready with what carries over."""
    meeting = meeting_for_change(session, actor, meeting_id)
    if meeting.status is MeetingStatus.CANCELLED:
        raise ValidationError({"form": "A cancelled meeting can't be ended."})
    if meeting.status is not MeetingStatus.ENDED:
        meeting.status, meeting.ended_at = MeetingStatus.ENDED, now
        session.flush()  # the recap in the event reads what the meeting holds now
        meeting_event(session, meeting, "meeting.ended", now, key=f"meeting.ended:{meeting.id}")
    if meeting.series_id is None:
        return None
    series = session.get(MeetingSeries, meeting.series_id)
    assert series is not None
    created = ensure_next_occurrence(session, series, now)
    following = created or session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.starts_at > meeting.starts_at,
        Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.starts_at).limit(1)).first()
    if following is not None and created is None and series.carry_over:
        carry_over(session, meeting, following)
    return following


def cancel_occurrence(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting:
    """Cancel one meeting (its row stays, for the calendar's EXDATE); a series gets its next one."""
    meeting = meeting_for_change(session, actor, meeting_id)
    if meeting.status is MeetingStatus.ENDED:
        raise ValidationError({"form": "This meeting has already taken place."})
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting_event(session, meeting, "meeting.updated", now, change="cancelled")
    if meeting.series_id is not None:
        series = session.get(MeetingSeries, meeting.series_id)
        assert series is not None
        series.sequence += 1  # the series' calendar event changed too (one more EXDATE)
        ensure_next_occurrence(session, series, now)
    return meeting


def reschedule_occurrence(session: Session, actor: Actor, meeting_id: int, *, date_text: str, time_text: str,
                          duration_text: str, now: datetime) -> Meeting:
    """Move or resize one meeting only; an occurrence keeps its place in the series."""
    meeting = meeting_for_change(session, actor, meeting_id)
    request = MeetingRequest(team_id=None, date=date_text, time=time_text, time_zone=meeting.time_zone,
                             duration_minutes=duration_text)
    errors: dict[str, str] = {}
    start, duration, _ = parse_when(request, errors)
    if errors:
        raise ValidationError(errors)
    assert start is not None and duration is not None
    meeting.starts_at, meeting.duration_minutes = start.astimezone(UTC), duration
    meeting.sequence += 1
    meeting.version += 1
    if meeting.series is not None:
        meeting.series.sequence += 1  # the series' calendar event changed too (a RECURRENCE-ID override)
    meeting_event(session, meeting, "meeting.updated", now, change="rescheduled")
    return meeting
