"""Reading action items across meetings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor, visible_meetings
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    Meeting,
    MeetingAttendee,
    TeamMembership,
    User,
)


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


def reassign_choices(session: Session, items: list[ActionItem]) -> dict[int, list[User]]:
    """For each item, the people it may be given to (attendees and team of its meeting): two queries."""
    meeting_ids = {i.meeting_id for i in items}
    team_of = {i.meeting_id: i.meeting.team_id for i in items}
    people: dict[int, set[int]] = {m: set() for m in meeting_ids}
    for meeting_id, user_id in session.execute(select(MeetingAttendee.meeting_id, MeetingAttendee.user_id)
                                               .where(MeetingAttendee.meeting_id.in_(meeting_ids))):
        people[meeting_id].add(user_id)
    team_ids = {t for t in team_of.values() if t is not None}
    members: dict[int, set[int]] = {}
    for team_id, user_id in session.execute(select(TeamMembership.team_id, TeamMembership.user_id)
                                            .where(TeamMembership.team_id.in_(team_ids))):
        members.setdefault(team_id, set()).add(user_id)
    for meeting_id, team_id in team_of.items():
        people[meeting_id] |= members.get(team_id, set()) if team_id else set()
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(set().union(*people.values()))))} \
        if people else {}
    return {i.id: sorted((users[u] for u in people[i.meeting_id] if u in users), key=lambda u: u.name.lower())
            for i in items}
