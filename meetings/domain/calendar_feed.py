"""A person's calendar subscription: a secret URL with their meetings and action items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import actor_for, attending, visible_meetings
from meetings.domain.errors import NotFoundError
from meetings.domain.opaque_tokens import hash_token, issue_token
from meetings.models import ActionItem, ActionItemStatus, Meeting, MeetingSeries, SeriesAttendee, User

FEED_PREFIX = "cal_"
HISTORY = timedelta(days=60)


def reset_calendar_token(session: Session, user: User) -> str:
    """A new secret for the feed URL (shown once); the old URL stops working."""
    raw, token_hash = issue_token(FEED_PREFIX)
    user.calendar_token_hash = token_hash
    return raw


@dataclass
class Feed:
    """What a person's feed holds: one-off meetings, whole series (each with its meetings, cancelled
    ones included, for EXDATE and RECURRENCE-ID) and action items with their meeting's UID (the
    series' UID for a meeting of a series)."""

    user: User
    meetings: list[Meeting]
    series: list[tuple[MeetingSeries, list[Meeting]]]
    items: list[tuple[ActionItem, str]]


def series_rows(session: Session, series_id: int) -> list[Meeting]:
    """Every meeting of a series, in the series' order."""
    return list(session.scalars(select(Meeting).where(Meeting.series_id == series_id)
                                .order_by(Meeting.recurrence_start)))


def calendar_feed(session: Session, raw: str, now: datetime) -> Feed:
    """The feed's owner, their meetings (from two months ago on; a series whole) and their action
    items (open, or closed in the last two months); NotFoundError for a wrong token."""
    user = session.scalar(select(User).where(User.calendar_token_hash == hash_token(raw)))
    if user is None or not user.is_active:
        raise NotFoundError("calendar feed")
    actor = actor_for(session, user)
    meetings = list(session.scalars(
        select(Meeting).where(attending(actor), Meeting.starts_at >= now - HISTORY).order_by(Meeting.starts_at)))
    series_ids = sorted({m.series_id for m in meetings if m.series_id is not None})
    series = list(session.scalars(select(MeetingSeries).where(MeetingSeries.id.in_(series_ids)).order_by(
        MeetingSeries.id).options(selectinload(MeetingSeries.attendees).selectinload(SeriesAttendee.user),
                                  selectinload(MeetingSeries.organizer)))) if series_ids else []
    rows = session.execute(
        select(ActionItem, Meeting.uid, MeetingSeries.uid).join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(ActionItem.assignee_id == user.id, visible_meetings(actor))
        .where(or_(ActionItem.status == ActionItemStatus.OPEN, ActionItem.updated_at >= now - HISTORY))
        .order_by(ActionItem.id)
        .options(selectinload(ActionItem.meeting))
    ).all()
    return Feed(user, [m for m in meetings if m.series_id is None],
                [(one, series_rows(session, one.id)) for one in series],
                [(item, series_uid or uid) for item, uid, series_uid in rows])
