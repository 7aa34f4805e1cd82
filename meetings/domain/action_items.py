"""Reading action items across meetings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor, visible_meetings
from meetings.models import ActionItem, ActionItemStatus, Meeting


def my_open_action_items(session: Session, actor: Actor, limit: int = 50) -> list[ActionItem]:
    """The actor's open action items in meetings they may see, earliest due date first (undated last)."""
    query = (
        select(ActionItem)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.assignee_id == actor.user_id, ActionItem.status == ActionItemStatus.OPEN)
        .where(visible_meetings(actor))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        .limit(limit)
        .options(selectinload(ActionItem.assignee), selectinload(ActionItem.meeting))
    )
    return list(session.scalars(query))


def is_overdue(item: ActionItem, now: datetime) -> bool:
    """Open and due before today in the assignee's time zone."""
    if item.status is not ActionItemStatus.OPEN or item.due_date is None:
        return False
    return item.due_date < local_today(now, item.assignee.time_zone if item.assignee else "UTC")


def local_today(now: datetime, time_zone: str) -> date:
    """The calendar day it is at ``now`` in ``time_zone``."""
    return now.astimezone(ZoneInfo(time_zone)).date()
