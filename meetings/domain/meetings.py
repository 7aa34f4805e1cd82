"""Reading meetings: lists for the dashboard and the meetings page, and one meeting in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor, attending, visible_meetings, visible_notes
from meetings.domain.errors import NotFoundError
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    AgendaSection,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    Note,
)

# A meeting that started less than this long ago and is not ended still counts as upcoming.
RECENT_START = timedelta(hours=24)


@dataclass(frozen=True)
class MeetingDetail:
    """Everything the meeting page shows, loaded in a fixed number of queries."""

    meeting: Meeting
    sections: list[AgendaSection]
    unsectioned_items: list[AgendaItem]
    notes: list[Note]
    decisions: list[Decision]
    action_items: list[ActionItem]
    previous: Meeting | None = None  # neighbouring occurrences of the series the actor may see
    next: Meeting | None = None
    earlier_action_items: list[ActionItem] = field(default_factory=list)  # still open, from earlier occurrences

    @property
    def planned_minutes(self) -> int:
        """Sum of the agenda's time boxes."""
        items = [i for s in self.sections for i in s.items] + self.unsectioned_items
        return sum(i.time_box_minutes or 0 for i in items)

    @property
    def over_time(self) -> bool:
        """True when the time boxes add up to more than the meeting's length."""
        return self.planned_minutes > self.meeting.duration_minutes


def _filters(team_id: int | None, series_id: int | None) -> list:  # type: ignore[type-arg]
    conditions = []
    if team_id is not None:
        conditions.append(Meeting.team_id == team_id)
    if series_id is not None:
        conditions.append(Meeting.series_id == series_id)
    return conditions


def _with_people() -> list:  # type: ignore[type-arg]
    return [
        selectinload(Meeting.attendees).selectinload(MeetingAttendee.user),
        selectinload(Meeting.team),
        selectinload(Meeting.organizer),
    ]


def upcoming_meetings(session: Session, actor: Actor, now: datetime, limit: int = 20, mine_only: bool = False,
                      team_id: int | None = None, series_id: int | None = None) -> list[Meeting]:
    """Meetings ``actor`` may see that are still to come or under way (started within the last day),
    soonest first; ``mine_only`` keeps those they organise or attend."""
    query = (
        select(Meeting)
        .where(attending(actor) if mine_only else visible_meetings(actor))
        .where(*_filters(team_id, series_id))
        .where(Meeting.starts_at >= now - RECENT_START)
        .where(Meeting.status.in_([MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS]))
        .order_by(Meeting.starts_at)
        .limit(limit)
        .options(*_with_people())
    )
    return list(session.scalars(query))


def waiting_for_my_topics(session: Session, actor: Actor, now: datetime, days: int = 7) -> list[Meeting]:
    """Meetings in the coming ``days`` that I attend and have not added a topic to yet."""
    mine = exists().where(AgendaItem.meeting_id == Meeting.id, AgendaItem.created_by_id == actor.user_id)
    query = (
        select(Meeting)
        .where(attending(actor), ~mine, Meeting.status == MeetingStatus.SCHEDULED)
        .where(Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(days=days))
        .order_by(Meeting.starts_at)
        .options(*_with_people())
    )
    return list(session.scalars(query))


def meetings_between(session: Session, actor: Actor, start: datetime, end: datetime, *, team_id: int | None = None,
                     series_id: int | None = None) -> list[Meeting]:
    """Meetings the actor may see starting in [start, end), optionally of one team or series."""
    query = select(Meeting).where(visible_meetings(actor), Meeting.starts_at >= start, Meeting.starts_at < end)
    if team_id is not None:
        query = query.where(Meeting.team_id == team_id)
    if series_id is not None:
        query = query.where(Meeting.series_id == series_id)
    return list(session.scalars(query.order_by(Meeting.starts_at).options(*_with_people())))


def visible_series(session: Session, actor: Actor) -> list[MeetingSeries]:
    """Series with at least one meeting the actor may see, by title (for the filter)."""
    ids = select(Meeting.series_id).where(visible_meetings(actor), Meeting.series_id.is_not(None))
    return list(session.scalars(select(MeetingSeries).where(MeetingSeries.id.in_(ids)).order_by(MeetingSeries.title)))


def past_meetings(session: Session, actor: Actor, now: datetime, limit: int = 20, team_id: int | None = None,
                  series_id: int | None = None) -> list[Meeting]:
    """Meetings that are over (ended, cancelled, or started over a day ago), most recent first."""
    query = (
        select(Meeting)
        .where(visible_meetings(actor), *_filters(team_id, series_id))
        .where(Meeting.starts_at < now)
        .where(
            or_(
                Meeting.status.in_([MeetingStatus.ENDED, MeetingStatus.CANCELLED]),
                Meeting.starts_at < now - RECENT_START,
            )
        )
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
        .options(*_with_people())
    )
    return list(session.scalars(query))


def meeting_detail(session: Session, actor: Actor, meeting_id: int) -> MeetingDetail:
    """One meeting with its agenda, notes (shared, and the actor's private ones), decisions and action
    items; NotFoundError when it does not exist or ``actor`` may not see it."""
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, visible_meetings(actor))
        .options(*_with_people(), selectinload(Meeting.series))
    )
    if meeting is None:
        raise NotFoundError(f"meeting {meeting_id}")
    sections = list(
        session.scalars(
            select(AgendaSection)
            .where(AgendaSection.meeting_id == meeting_id)
            .order_by(AgendaSection.position)
            .options(
                selectinload(AgendaSection.items).selectinload(AgendaItem.owner),
                selectinload(AgendaSection.items).selectinload(AgendaItem.carried_over_from),
            )
        )
    )
    unsectioned = list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, AgendaItem.section_id.is_(None))
            .order_by(AgendaItem.position)
            .options(selectinload(AgendaItem.owner))
        )
    )
    notes = list(
        session.scalars(
            select(Note).where(Note.meeting_id == meeting_id, visible_notes(actor)).order_by(Note.id)
        )
    )
    decisions = list(
        session.scalars(select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.created_at))
    )
    actions = list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.meeting_id == meeting_id)
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
            .options(selectinload(ActionItem.assignee), selectinload(ActionItem.agenda_item))
        )
    )
    previous = following = None
    if meeting.series_id is not None:
        neighbours = select(Meeting).where(Meeting.series_id == meeting.series_id, Meeting.id != meeting.id,
                                           Meeting.status != MeetingStatus.CANCELLED, visible_meetings(actor))
        previous = session.scalars(neighbours.where(Meeting.starts_at < meeting.starts_at)
                                   .order_by(Meeting.starts_at.desc()).limit(1)).first()
        following = session.scalars(neighbours.where(Meeting.starts_at > meeting.starts_at)
                                    .order_by(Meeting.starts_at).limit(1)).first()
    earlier: list[ActionItem] = []
    if meeting.series is not None and meeting.series.carry_over:
        earlier = list(session.scalars(
            select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id)
            .where(Meeting.series_id == meeting.series_id, Meeting.starts_at < meeting.starts_at,
                   ActionItem.status == ActionItemStatus.OPEN, visible_meetings(actor))
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
            .options(selectinload(ActionItem.assignee), selectinload(ActionItem.meeting))
        ))
    return MeetingDetail(meeting, sections, unsectioned, notes, decisions, actions, previous, following, earlier)
