"""Running a meeting: start it, move through the agenda, and the time box of the current topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, require_meeting
from meetings.domain.errors import ValidationError
from meetings.models import AgendaItem, AgendaItemState, AgendaSection, Meeting, MeetingStatus


@dataclass(frozen=True)
class Timer:
    """The current topic's time box at ``now``: negative ``remaining`` means it ran over."""

    item_id: int
    started_at: datetime
    time_box: timedelta | None
    remaining: timedelta | None


def _agenda_order(session: Session, meeting_id: int) -> list[AgendaItem]:
    sections = {s.id: s.position for s in session.scalars(select(AgendaSection).where(
        AgendaSection.meeting_id == meeting_id))}
    items = list(session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)))
    return sorted(items, key=lambda i: (sections.get(i.section_id, 10**6) if i.section_id else 10**6, i.position))


def start_meeting(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting:
    """In progress, with the first open topic as the current one."""
    require_meeting(session, actor, meeting_id)
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    if meeting.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise ValidationError({"form": "This meeting is over; it can't be started again."})
    meeting.status = MeetingStatus.IN_PROGRESS
    if meeting.current_item_id is None:
        first = next((i for i in _agenda_order(session, meeting_id) if i.state is AgendaItemState.OPEN), None)
        meeting.current_item_id = first.id if first else None
        meeting.current_item_started_at = now if first else None
    meeting.version += 1
    return meeting


def next_topic(session: Session, actor: Actor, meeting_id: int, now: datetime, mark: str = "discussed") -> Meeting:
    """Mark the current topic (discussed or deferred) and move to the next open one."""
    meeting = start_meeting(session, actor, meeting_id, now)
    order = _agenda_order(session, meeting_id)
    current = next((i for i in order if i.id == meeting.current_item_id), None)
    if current is not None:
        current.state = AgendaItemState.DEFERRED if mark == "deferred" else AgendaItemState.DISCUSSED
        current.version += 1
    following = next((i for i in order if i.state is AgendaItemState.OPEN and i.id != meeting.current_item_id), None)
    meeting.current_item_id = following.id if following else None
    meeting.current_item_started_at = now if following else None
    return meeting


def timer(meeting: Meeting, items: list[AgendaItem], now: datetime) -> Timer | None:
    """The countdown of the current topic, if the meeting is running one."""
    if meeting.status is not MeetingStatus.IN_PROGRESS or meeting.current_item_id is None:
        return None
    item = next((i for i in items if i.id == meeting.current_item_id), None)
    if item is None or meeting.current_item_started_at is None:
        return None
    box = timedelta(minutes=item.time_box_minutes) if item.time_box_minutes else None
    remaining = box - (now - meeting.current_item_started_at) if box is not None else None
    return Timer(item.id, meeting.current_item_started_at, box, remaining)
