"""A person's calendar subscription: a secret URL with their meetings and action items."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import actor_for, attending, visible_meetings
from meetings.domain.errors import NotFoundError
from meetings.domain.opaque_tokens import hash_token, issue_token
from meetings.models import ActionItem, ActionItemStatus, Meeting, User

FEED_PREFIX = "cal_"
HISTORY = timedelta(days=60)


def reset_calendar_token(session: Session, user: User) -> str:
    """A new secret for the feed URL (shown once); the old URL stops working."""
    raw, token_hash = issue_token(FEED_PREFIX)
    user.calendar_token_hash = token_hash
    return raw


def calendar_feed(session: Session, raw: str, now: datetime) -> tuple[User, list[Meeting], list[tuple[ActionItem, str]]]:
    """The feed's owner, their meetings (from two months ago on) and their action items (open, or
    closed in the last two months), each with its meeting's UID; NotFoundError for a wrong token."""
    user = session.scalar(select(User).where(User.calendar_token_hash == hash_token(raw)))
    if user is None or not user.is_active:
        raise NotFoundError("calendar feed")
    actor = actor_for(session, user)
    meetings = list(session.scalars(
        select(Meeting).where(attending(actor), Meeting.starts_at >= now - HISTORY).order_by(Meeting.starts_at)))
    rows = session.execute(
        select(ActionItem, Meeting.uid).join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.assignee_id == user.id, visible_meetings(actor))
        .where(or_(ActionItem.status == ActionItemStatus.OPEN, ActionItem.updated_at >= now - HISTORY))
        .order_by(ActionItem.id)
        .options(selectinload(ActionItem.meeting))
    ).all()
    return user, meetings, [(item, uid) for item, uid in rows]
