"""Editing an agenda: sections and items, their order, owners, time boxes and states.

Everyone who may see a meeting may shape its agenda (adding topics is the point). Each item carries
a version: a change made from a stale copy is refused with ConflictError, never applied silently.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, require_meeting
from meetings.domain.errors import ConflictError, NotFoundError, ValidationError
from meetings.models import (
    AgendaItem,
    AgendaItemState,
    AgendaSection,
    Meeting,
    MeetingAttendee,
    TeamMembership,
)

MAX_TITLE = 200
MAX_POINTS = 20_000
MAX_TIME_BOX = 480


def _item(session: Session, actor: Actor, meeting_id: int, item_id: int) -> AgendaItem:
    require_meeting(session, actor, meeting_id)
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFoundError(f"agenda item {item_id}")
    return item


def eligible_people(session: Session, meeting_id: int) -> set[int]:
    """Who may own an item or an action item of a meeting: its attendees and its team's members."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return set()
    people = set(session.scalars(select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting_id)))
    if meeting.team_id is not None:
        people |= set(session.scalars(select(TeamMembership.user_id).where(TeamMembership.team_id == meeting.team_id)))
    return people


def _check(session: Session, meeting_id: int, title: str, points: str, owner: str, minutes: str
           ) -> tuple[str, str, int | None, int | None]:
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Enter a topic."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Use at most {MAX_TITLE} characters."
    if len(points) > MAX_POINTS:
        errors["talking_points"] = f"Use at most {MAX_POINTS:,} characters."
    owner_id = None
    if owner.strip():
        if not owner.strip().isdigit() or int(owner) not in eligible_people(session, meeting_id):
            errors["owner_id"] = "Choose an attendee or a member of the team."
        else:
            owner_id = int(owner)
    time_box = None
    if minutes.strip():
        if not minutes.strip().isdigit() or not 1 <= int(minutes) <= MAX_TIME_BOX:
            errors["time_box_minutes"] = f"Enter whole minutes from 1 to {MAX_TIME_BOX}, or leave it empty."
        else:
            time_box = int(minutes)
    if errors:
        raise ValidationError(errors)
    return title, points.strip(), owner_id, time_box


def add_item(session: Session, actor: Actor, meeting_id: int, *, section_id: int | None, title: str,
             talking_points: str = "", owner_id: str = "", time_box_minutes: str = "") -> AgendaItem:
    """A new topic at the end of its section (or of the agenda)."""
    require_meeting(session, actor, meeting_id)
    if section_id is not None:
        section = session.get(AgendaSection, section_id)
        if section is None or section.meeting_id != meeting_id:
            raise ValidationError({"section_id": "Choose a section of this agenda."})
    clean_title, points, owner, minutes = _check(session, meeting_id, title, talking_points, owner_id,
                                                 time_box_minutes)
    last = session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id))
    item = AgendaItem(meeting_id=meeting_id, section_id=section_id, position=(last if last is not None else -1) + 1,
                      title=clean_title, talking_points=points, owner_id=owner, time_box_minutes=minutes,
                      created_by_id=actor.user_id)
    session.add(item)
    session.flush()
    if section_id is not None:  # keep the section's items together: place it after the section's last one
        _renumber(session, meeting_id, moved=item)
    return item


def update_item(session: Session, actor: Actor, meeting_id: int, item_id: int, *, version: int, title: str,
                talking_points: str, owner_id: str, time_box_minutes: str) -> AgendaItem:
    """Change a topic; refused when someone changed it after ``version`` was loaded."""
    item = _item(session, actor, meeting_id, item_id)
    clean_title, points, owner, minutes = _check(session, meeting_id, title, talking_points, owner_id,
                                                 time_box_minutes)
    _bump(session, item, version)
    item.title, item.talking_points, item.owner_id, item.time_box_minutes = clean_title, points, owner, minutes
    return item


def _bump(session: Session, item: AgendaItem, version: int) -> None:
    # Compare-and-set in the database, so that two processes can't both pass the check.
    changed = session.execute(update(AgendaItem).where(AgendaItem.id == item.id, AgendaItem.version == version)
                              .values(version=version + 1)).rowcount
    if changed != 1:
        session.refresh(item)
        raise ConflictError("Someone changed this topic while you were editing it. Here is the current "
                            "version; your text is kept in the form.", current=item.title)
    session.refresh(item)


def set_state(session: Session, actor: Actor, meeting_id: int, item_id: int, state: str) -> AgendaItem:
    """Mark a topic discussed, deferred or open again."""
    item = _item(session, actor, meeting_id, item_id)
    try:
        item.state = AgendaItemState(state)
    except ValueError:
        raise ValidationError({"state": "Choose open, discussed or deferred."}) from None
    item.version += 1
    return item


def delete_item(session: Session, actor: Actor, meeting_id: int, item_id: int) -> None:
    """Remove a topic (its action items stay, without the link)."""
    session.delete(_item(session, actor, meeting_id, item_id))


def move_item(session: Session, actor: Actor, meeting_id: int, item_id: int, *, to_index: int,
              section_id: int | None) -> None:
    """Put a topic at ``to_index`` within ``section_id`` (dragging, or the move up/down buttons)."""
    item = _item(session, actor, meeting_id, item_id)
    if section_id is not None:
        section = session.get(AgendaSection, section_id)
        if section is None or section.meeting_id != meeting_id:
            raise ValidationError({"section_id": "Choose a section of this agenda."})
    item.section_id = section_id
    item.version += 1
    _renumber(session, meeting_id, moved=item, to_index=to_index)


def move_item_by(session: Session, actor: Actor, meeting_id: int, item_id: int, step: int) -> None:
    """One place up (-1) or down (+1) within its section."""
    item = _item(session, actor, meeting_id, item_id)
    siblings = _ordered(session, meeting_id, item.section_id)
    index = next(i for i, other in enumerate(siblings) if other.id == item.id)
    move_item(session, actor, meeting_id, item_id, to_index=max(0, index + step), section_id=item.section_id)


def _ordered(session: Session, meeting_id: int, section_id: int | None) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    query = query.where(AgendaItem.section_id.is_(None) if section_id is None else AgendaItem.section_id == section_id)
    return list(session.scalars(query.order_by(AgendaItem.position, AgendaItem.id)))


def _renumber(session: Session, meeting_id: int, moved: AgendaItem, to_index: int | None = None) -> None:
    """Positions 0..n over the whole agenda, sections in order, ``moved`` at ``to_index`` in its own."""
    sections = list(session.scalars(select(AgendaSection.id).where(AgendaSection.meeting_id == meeting_id)
                                    .order_by(AgendaSection.position, AgendaSection.id)))
    position = 0
    for section_id in [*sections, None]:
        items = [i for i in _ordered(session, meeting_id, section_id) if i.id != moved.id]
        if moved.section_id == section_id:
            index = len(items) if to_index is None else min(max(to_index, 0), len(items))
            items.insert(index, moved)
        for item in items:
            item.position = position
            position += 1
    session.flush()


def add_section(session: Session, actor: Actor, meeting_id: int, title: str, prompt: str = "") -> AgendaSection:
    """A new section at the end of the agenda."""
    require_meeting(session, actor, meeting_id)
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise ValidationError({"section_title": f"Enter a section title of at most {MAX_TITLE} characters."})
    last = session.scalar(select(func.max(AgendaSection.position)).where(AgendaSection.meeting_id == meeting_id))
    section = AgendaSection(meeting_id=meeting_id, position=(last if last is not None else -1) + 1, title=title,
                            prompt=prompt.strip())
    session.add(section)
    session.flush()
    return section


def delete_section(session: Session, actor: Actor, meeting_id: int, section_id: int) -> None:
    """Remove a section; its topics stay on the agenda, outside any section."""
    require_meeting(session, actor, meeting_id)
    section = session.get(AgendaSection, section_id)
    if section is None or section.meeting_id != meeting_id:
        raise NotFoundError(f"section {section_id}")
    session.execute(update(AgendaItem).where(AgendaItem.section_id == section_id).values(section_id=None))
    session.delete(section)
