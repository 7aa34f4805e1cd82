"""Attendees' answers to an invitation (attending, maybe, not attending), from the meeting page or
from a signed link in the invitation email that works without signing in.

A link names one meeting (or, in a series invitation, the whole series) and one person, and is
signed under the app's secret with a salt of its own, so it answers for that person and that
meeting only, and a signature made for anything else (unsubscribe links) never passes as one.
Opening the link only shows the choice; the answer is saved by the form it shows, so link scanners
in mail systems that open every link never answer for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor, can_see_meeting
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.models import (
    AttendeeResponse,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    SeriesAttendee,
    User,
)

ANSWERS = {"accepted": AttendeeResponse.ACCEPTED, "tentative": AttendeeResponse.TENTATIVE,
           "declined": AttendeeResponse.DECLINED}
ANSWER_LABELS = {"accepted": "Attending", "tentative": "Maybe", "declined": "Not attending",
                 "needs_action": "No answer yet"}


class RsvpLinks:
    """Signs and checks answer links (itsdangerous, with a salt of their own): each names a kind,
    "m" for one meeting or "s" for a whole series, its id and the person."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt="rsvp")

    def token(self, kind: str, object_id: int, user_id: int) -> str:
        """The link token for ``kind`` "m" (a meeting) or "s" (a series)."""
        return self._serializer.dumps([kind, object_id, user_id])

    def read(self, token: str) -> tuple[str, int, int]:
        """(kind, object id, user id) of a genuine token; NotFoundError for anything else."""
        try:
            kind, object_id, user_id = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            raise NotFoundError("answer link") from None
        if kind not in {"m", "s"} or not isinstance(object_id, int) or not isinstance(user_id, int):
            raise NotFoundError("answer link")
        return kind, object_id, user_id


@dataclass(frozen=True)
class RsvpTarget:
    """What an answer link answers for: a meeting or a series, as seen by its attendee."""

    kind: str  # "m" or "s"
    title: str
    meeting: Meeting  # the meeting, or the series' next one
    user: User
    response: AttendeeResponse
    closed: bool  # over or cancelled: nothing to answer any more


def _next_of_series(session: Session, series_id: int, now: datetime) -> Meeting | None:
    rows = session.scalars(select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.starts_at))
    live = [m for m in rows if m.status is not MeetingStatus.CANCELLED]
    upcoming = [m for m in live if m.starts_at + timedelta(minutes=m.duration_minutes) > now]
    return (upcoming or live or [None])[0]


def _is_closed(meeting: Meeting, now: datetime) -> bool:
    return meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.ENDED) or \
        meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now


def link_target(session: Session, links: RsvpLinks, token: str, now: datetime) -> RsvpTarget:
    """The meeting or series a link answers for; NotFoundError when the link is not genuine or the
    person no longer attends."""
    kind, object_id, user_id = links.read(token)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFoundError("answer link")
    if kind == "m":
        row = session.scalar(select(MeetingAttendee).where(
            MeetingAttendee.meeting_id == object_id, MeetingAttendee.user_id == user_id))
        meeting = session.get(Meeting, object_id)
        if row is None or meeting is None:
            raise NotFoundError("answer link")
        return RsvpTarget("m", meeting.title, meeting, user, row.response, _is_closed(meeting, now))
    member = session.scalar(select(SeriesAttendee).where(
        SeriesAttendee.series_id == object_id, SeriesAttendee.user_id == user_id))
    series = session.get(MeetingSeries, object_id)
    following = _next_of_series(session, object_id, now)
    if member is None or series is None or following is None:
        raise NotFoundError("answer link")
    return RsvpTarget("s", following.title, following, user, member.response, _is_closed(following, now))


def _answer(text: str) -> AttendeeResponse:
    if text not in ANSWERS:
        raise ValidationError({"answer": "Choose attending, maybe or not attending."})
    return ANSWERS[text]


def answer_by_link(session: Session, links: RsvpLinks, token: str, answer: str, now: datetime) -> RsvpTarget:
    """Save the answer a link's owner chose; for a series, for every meeting still to come."""
    target = link_target(session, links, token, now)
    response = _answer(answer)
    if target.closed:
        raise ValidationError({"answer": "This meeting is over or cancelled: there is nothing to answer."})
    if target.kind == "m":
        _set_meeting_answer(session, target.meeting.id, target.user.id, response)
    else:
        assert target.meeting.series_id is not None
        answer_series(session, target.meeting.series_id, target.user.id, response, now)
    return link_target(session, links, token, now)


def _set_meeting_answer(session: Session, meeting_id: int, user_id: int, response: AttendeeResponse) -> None:
    row = session.scalar(select(MeetingAttendee).where(
        MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.user_id == user_id))
    if row is None:
        raise NotFoundError(f"meeting {meeting_id}")
    row.response = response


def answer_series(session: Session, series_id: int, user_id: int, response: AttendeeResponse, now: datetime) -> None:
    """The answer for the whole series: kept for occurrences still to be created, and set on the
    ones that are still to come."""
    member = session.scalar(select(SeriesAttendee).where(
        SeriesAttendee.series_id == series_id, SeriesAttendee.user_id == user_id))
    if member is None:
        raise NotFoundError(f"series {series_id}")
    member.response = response
    rows = session.scalars(select(Meeting).where(Meeting.series_id == series_id)
                           .options(selectinload(Meeting.attendees)))
    for meeting in rows:
        if _is_closed(meeting, now):
            continue
        for attendee in meeting.attendees:
            if attendee.user_id == user_id:
                attendee.response = response


def answer_on_page(session: Session, actor: Actor, meeting_id: int, answer: str, now: datetime) -> None:
    """An attendee answers for this one meeting on its page; others who may see it get 403."""
    if not can_see_meeting(session, actor, meeting_id):
        raise NotFoundError(f"meeting {meeting_id}")
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    attends = session.scalar(select(MeetingAttendee.id).where(
        MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.user_id == actor.user_id))
    if attends is None:
        raise ForbiddenError("Only attendees answer for themselves.")
    response = _answer(answer)
    if _is_closed(meeting, now):
        raise ValidationError({"answer": "This meeting is over or cancelled: there is nothing to answer."})
    _set_meeting_answer(session, meeting_id, actor.user_id, response)
