"""Changing a series: from a date on (the past keeps the old rule, later meetings follow the new one),
and its pre-meeting reminder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.domain.recurrence import RecurrenceChoice, build_rule, ends_before, occurrences
from meetings.domain.scheduling import MeetingRequest, ensure_next_occurrence, parse_when
from meetings.domain.webhook_events import meeting_event
from meetings.models import Meeting, MeetingSeries, MeetingStatus, SeriesAttendee, Visibility


def _members(session: Session, series_id: int) -> list[int]:
    return list(session.scalars(select(SeriesAttendee.user_id).where(SeriesAttendee.series_id == series_id)
                                .order_by(SeriesAttendee.id)))


def _series_for_change(session: Session, actor: Actor, series_id: int) -> MeetingSeries:
    """The series, if ``actor`` may change it (its organiser and attendees); 404 for those who can't see it."""
    series = session.get(MeetingSeries, series_id)
    if series is None:
        raise NotFoundError(f"series {series_id}")
    if actor.user_id != series.organizer_id and actor.user_id not in _members(session, series_id):
        if series.visibility is Visibility.TEAM and series.team_id in actor.team_ids:
            raise ForbiddenError("Only the organiser and the attendees can change this series.")
        raise NotFoundError(f"series {series_id}")
    return series


MAX_LEAD_HOURS = 7 * 24  # the pre-meeting scan looks eight days ahead


def set_series_reminders(session: Session, actor: Actor, series_id: int, *, enabled: bool,
                         lead_hours: str) -> MeetingSeries:
    """Switch the series' pre-meeting reminder on or off and set how long before a meeting it goes."""
    series = _series_for_change(session, actor, series_id)
    text = lead_hours.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_LEAD_HOURS:
        raise ValidationError({"lead_hours": f"Enter a whole number of hours from 1 to {MAX_LEAD_HOURS}."})
    series.pre_meeting_reminder = enabled
    series.reminder_lead_minutes = int(text) * 60
    session.flush()
    return series


def change_series_from(session: Session, actor: Actor, series_id: int, *, from_date: str, time_text: str,
                       duration_text: str, recurrence: RecurrenceChoice, now: datetime) -> MeetingSeries | None:
    """Change the series from ``from_date`` on: earlier meetings keep the old rule, later ones follow
    the new one (a series of their own from that date). Frequency "none" ends the series instead.
    Returns the series that continues, or None when it ended."""
    series = _series_for_change(session, actor, series_id)
    errors: dict[str, str] = {}
    request = MeetingRequest(team_id=None, date=from_date, time=time_text, time_zone=series.time_zone,
                             duration_minutes=duration_text)
    start, duration, _ = parse_when(request, errors)
    rule = None
    if start is not None and not errors:
        try:
            rule = build_rule(recurrence, start)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    assert start is not None and duration is not None
    zone = ZoneInfo(series.time_zone)
    cut = datetime.combine(start.date(), time(0), tzinfo=zone)
    before = sum(1 for _ in _starts_before(series, cut))
    future = list(session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.recurrence_start >= cut,
        Meeting.status != MeetingStatus.ENDED).order_by(Meeting.recurrence_start)))
    series.sequence += 1
    if before == 0:
        continuing = series  # the change starts with the first meeting: it is the whole series
        if rule is not None:
            series.rrule, series.first_start_local = rule, start.replace(tzinfo=None).isoformat()
            series.duration_minutes = duration
    else:
        series.rrule = ends_before(series.rrule, cut)
        continuing = None if rule is None else MeetingSeries(
            uid=f"{uuid.uuid4()}", team_id=series.team_id, organizer_id=series.organizer_id, title=series.title,
            description=series.description, template_key=series.template_key, rrule=rule,
            first_start_local=start.replace(tzinfo=None).isoformat(), time_zone=series.time_zone,
            duration_minutes=duration, visibility=series.visibility, carry_over=series.carry_over,
            pre_meeting_reminder=series.pre_meeting_reminder, reminder_lead_minutes=series.reminder_lead_minutes,
            sprint_start=series.sprint_start + before,
            attendees=[SeriesAttendee(user_id=user_id) for user_id in _members(session, series_id)],
        )
        if continuing is not None:
            session.add(continuing)
            session.flush()
    planned = iter(occurrences(continuing.rrule, continuing.first_start_local, continuing.time_zone)) \
        if continuing is not None and rule is not None else iter(())
    for meeting in future:  # already created meetings follow the new rule, keeping what they hold
        nxt = next(planned, None)
        meeting.sequence += 1
        if nxt is None or continuing is None:
            meeting.status = MeetingStatus.CANCELLED
            meeting_event(session, meeting, "meeting.updated", now, change="cancelled")
            continue
        index, when = nxt
        meeting.series_id, meeting.recurrence_start, meeting.starts_at = continuing.id, when, when
        meeting.occurrence_number, meeting.duration_minutes = index, continuing.duration_minutes
        meeting_event(session, meeting, "meeting.updated", now, change="series_changed")
    session.flush()
    if continuing is not None:
        ensure_next_occurrence(session, continuing, now)
    return continuing


def _starts_before(series: MeetingSeries, moment: datetime) -> Iterator[datetime]:
    for _, start in occurrences(series.rrule, series.first_start_local, series.time_zone):
        if start >= moment:
            return
        yield start
