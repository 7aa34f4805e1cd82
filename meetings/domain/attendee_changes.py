"""Adding and removing a meeting's attendees after it was created.

Organiser and attendees may do it (as with the schedule), while the meeting is still to come or
running. For a meeting of a series the change holds for the series: its attendee list and every
scheduled occurrence from this one on, so the following meetings include (or leave out) the person.
A private 1-on-1 keeps its two people, and a team meeting's attendees come from its team. The
organiser stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.scheduling import meeting_for_change
from meetings.domain.webhook_events import meeting_event
from meetings.models import (
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    SeriesAttendee,
    TeamMembership,
    User,
    Visibility,
)

OPEN = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


def attendee_choices(session: Session, meeting: Meeting) -> list[User]:
    """Who may be added: active people not attending yet (for a team meeting, its team's members)."""
    if meeting.visibility is Visibility.PRIVATE:
        return []
    attending = select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting.id)
    query = select(User).where(User.is_active, User.id.not_in(attending)).order_by(User.name)
    if meeting.team_id is not None:
        query = query.where(User.id.in_(select(TeamMembership.user_id).where(
            TeamMembership.team_id == meeting.team_id)))
    return list(session.scalars(query))


def _changeable(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    meeting = meeting_for_change(session, actor, meeting_id)
    if meeting.status not in OPEN:
        raise ValidationError({"attendee": "This meeting is over or cancelled: its attendees stay as they were."})
    if meeting.visibility is Visibility.PRIVATE:
        raise ValidationError({"attendee": "A private 1-on-1 keeps its two people."})
    return meeting


def _this_and_later(session: Session, meeting: Meeting) -> list[Meeting]:
    """The meeting, and for a series its scheduled occurrences from this one on."""
    if meeting.series_id is None:
        return [meeting]
    later = session.scalars(select(Meeting).where(Meeting.series_id == meeting.series_id,
                                                  Meeting.starts_at > meeting.starts_at,
                                                  Meeting.status == MeetingStatus.SCHEDULED))
    return [meeting, *later]


def _tell_webhooks(session: Session, meeting: Meeting, user: User, what: str, now: datetime) -> None:
    meeting_event(session, meeting, "meeting.updated", now, change="attendees",
                  key=f"meeting.updated:attendees:{meeting.id}:{what}:{user.id}:{now.isoformat()}")


def add_attendee(session: Session, actor: Actor, meeting_id: int, user_text: str,
                 now: datetime) -> tuple[Meeting, User]:
    """Add a person (by user id, as the form sends it) to the meeting and, for a series, the series."""
    meeting = _changeable(session, actor, meeting_id)
    choices = {u.id: u for u in attendee_choices(session, meeting)}
    user = choices.get(int(user_text)) if user_text.isdigit() else None
    if user is None:
        raise ValidationError({"attendee": "Choose someone from the list."})
    for row in _this_and_later(session, meeting):
        session.add(MeetingAttendee(meeting_id=row.id, user_id=user.id))
    if meeting.series_id is not None:
        session.add(SeriesAttendee(series_id=meeting.series_id, user_id=user.id))
    session.flush()
    _tell_webhooks(session, meeting, user, "added", now)
    return meeting, user


def remove_attendee(session: Session, actor: Actor, meeting_id: int, user_id: int,
                    now: datetime) -> tuple[Meeting, User]:
    """Take a person off the meeting and, for a series, off the series from this meeting on."""
    meeting = _changeable(session, actor, meeting_id)
    user = session.get(User, user_id)
    attending = session.scalar(select(MeetingAttendee.id).where(MeetingAttendee.meeting_id == meeting_id,
                                                                MeetingAttendee.user_id == user_id))
    if user is None or attending is None:
        raise ValidationError({"attendee": "That person is not an attendee."})
    if user_id == meeting.organizer_id:
        raise ValidationError({"attendee": "The organiser stays; end or cancel the meeting instead."})
    rows = [row.id for row in _this_and_later(session, meeting)]
    session.execute(delete(MeetingAttendee).where(MeetingAttendee.meeting_id.in_(rows),
                                                  MeetingAttendee.user_id == user_id))
    if meeting.series_id is not None:
        session.execute(delete(SeriesAttendee).where(SeriesAttendee.series_id == meeting.series_id,
                                                     SeriesAttendee.user_id == user_id))
    session.expire(meeting, ["attendees"])
    _tell_webhooks(session, meeting, user, "removed", now)
    return meeting, user
