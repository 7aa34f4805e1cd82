"""The action_item.overdue webhook event: found by a scan, since nothing happens when a day ends.

An open item is overdue from midnight after its due date in its assignee's time zone (the meeting's
zone when nobody is assigned): the same local-day rule as the reminders. It is announced once per
item and due date (moving the due date and missing it again announces it again); the key makes a
second scan, or a second process, a no-op. Items that fell due more than ``LOOK_BACK`` ago are
left alone, so a new webhook (or a scan after a long outage) does not flood a channel with old items.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.webhook_events import action_item_event
from meetings.models import ActionItem, ActionItemStatus, Meeting, Visibility, Webhook

LOOK_BACK = timedelta(days=7)


def overdue_from(due: date, zone: str) -> datetime:
    """The moment an item due on ``due`` becomes overdue where its assignee lives."""
    return datetime.combine(due + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


def announce_overdue(session: Session, now: datetime) -> int:
    """Queue action_item.overdue for items that became overdue (once each); returns how many were queued."""
    has_webhook = exists().where(Webhook.team_id == Meeting.team_id, Webhook.is_active)
    # Any zone is at most 14 hours ahead of UTC: items due by tomorrow (UTC) are the candidates.
    items = list(session.scalars(
        select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.status == ActionItemStatus.OPEN, ActionItem.due_date.is_not(None),
               ActionItem.due_date < (now + timedelta(days=1)).date(),
               ActionItem.due_date >= (now - LOOK_BACK).date(),
               Meeting.visibility == Visibility.TEAM, has_webhook)
        .options(selectinload(ActionItem.assignee), selectinload(ActionItem.meeting))
        .order_by(ActionItem.id)))
    announced = 0
    for item in items:
        assert item.due_date is not None
        zone = item.assignee.time_zone if item.assignee else item.meeting.time_zone
        if overdue_from(item.due_date, zone) <= now:
            announced += action_item_event(session, item, "action_item.overdue", now,
                                           key=f"action_item.overdue:{item.id}:{item.due_date.isoformat()}")
    return announced
