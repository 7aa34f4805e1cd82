"""Filling a new meeting: its agenda from a template (variables filled in) and what carries over
from the previous occurrence of its series."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.agenda_templates import AgendaTemplate, render_text
from meetings.models import (
    AgendaItem,
    AgendaItemState,
    AgendaSection,
    Meeting,
    MeetingStatus,
    ReportingLine,
    Team,
    User,
)

UNDISCUSSED = (AgendaItemState.OPEN, AgendaItemState.DEFERRED)


def long_date(moment: datetime, time_zone: str) -> str:
    """``Tue 3 Mar 2026`` in ``time_zone``."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y}"


def previous_occurrence(session: Session, meeting: Meeting) -> Meeting | None:
    """The latest earlier, not cancelled occurrence of the same series."""
    if meeting.series_id is None:
        return None
    return session.scalars(
        select(Meeting)
        .where(Meeting.series_id == meeting.series_id, Meeting.starts_at < meeting.starts_at,
               Meeting.status != MeetingStatus.CANCELLED, Meeting.id != meeting.id)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    ).first()


def one_on_one_roles(session: Session, organizer: User, attendees: list[User]) -> dict[str, User]:
    """Manager and report in a meeting of two: from the reporting line when there is one, else the
    organiser is taken as the manager."""
    others = [u for u in attendees if u.id != organizer.id]
    if len(attendees) != 2 or len(others) != 1:
        return {}
    other = others[0]
    line = session.scalar(select(ReportingLine).where(
        ReportingLine.manager_id.in_([organizer.id, other.id]), ReportingLine.report_id.in_([organizer.id, other.id])))
    if line is not None and line.report_id == organizer.id:
        return {"manager": other, "report": organizer}
    return {"manager": organizer, "report": other}


def template_values(
    session: Session, *, title: str, starts_at: datetime, time_zone: str, team: Team | None, organizer: User,
    attendees: list[User], sprint_number: int, previous: Meeting | None,
) -> dict[str, str]:
    """The value of every template variable for one meeting."""
    roles = one_on_one_roles(session, organizer, attendees)
    values = {
        "meeting_date": long_date(starts_at, time_zone),
        "previous_meeting_date": long_date(previous.starts_at, time_zone) if previous else "no previous meeting",
        "team": team.name if team else "the team",
        "organizer": organizer.name,
        "attendees": ", ".join(sorted(u.name for u in attendees)),
        "manager": roles["manager"].name if roles else organizer.name,
        "report": roles["report"].name if roles else "the report",
        "sprint_number": str(sprint_number),
    }
    values["meeting_title"] = render_text(title, {**values, "meeting_title": ""}).strip()
    return values


def owners_by_role(session: Session, organizer: User, attendees: list[User]) -> dict[str, int]:
    """Which person a template's owner role means in this meeting."""
    owners = {"organizer": organizer.id, "facilitator": organizer.id}
    owners.update({role: user.id for role, user in one_on_one_roles(session, organizer, attendees).items()})
    return owners


def add_template_agenda(session: Session, meeting: Meeting, template: AgendaTemplate, values: dict[str, str],
                        owners: dict[str, int]) -> None:
    """Sections and default items of ``template``, with its variables filled in."""
    position = 0
    for section_position, spec in enumerate(template.spec.sections):
        section = AgendaSection(meeting_id=meeting.id, position=section_position,
                                title=render_text(spec.title, values)[:200], prompt=render_text(spec.prompt, values))
        session.add(section)
        session.flush()
        for item in spec.items:
            session.add(AgendaItem(
                meeting_id=meeting.id, section_id=section.id, position=position,
                title=render_text(item.title, values)[:200], talking_points=render_text(item.points, values),
                owner_id=owners.get(item.owner) if item.owner else None, owner_role=item.owner,
                time_box_minutes=item.minutes, created_by_id=None,
            ))
            position += 1
    session.flush()


def carry_over(session: Session, previous: Meeting, meeting: Meeting) -> int:
    """Copy the undiscussed items of ``previous`` into ``meeting`` (once each), marking the originals
    deferred; each copy points at the item it came from. An item the new agenda already has (the
    template's recurring ones) is not copied twice. Returns how many were carried."""
    present = list(session.execute(select(AgendaItem.carried_over_from_id, AgendaItem.title)
                                   .where(AgendaItem.meeting_id == meeting.id)).all())
    already = {source for source, _ in present if source is not None}
    titles = {title.strip().lower() for _, title in present}
    items = list(session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == previous.id, AgendaItem.state.in_(UNDISCUSSED))
        .order_by(AgendaItem.position)))
    for item in items:
        item.state = AgendaItemState.DEFERRED
    pending = [i for i in items if i.id not in already and i.title.strip().lower() not in titles]
    if not pending:
        return 0
    section = session.scalar(select(AgendaSection).where(
        AgendaSection.meeting_id == meeting.id, AgendaSection.title == "Carried over"))
    if section is None:
        section = AgendaSection(meeting_id=meeting.id, position=-1, title="Carried over",
                                prompt=f"Not covered on {long_date(previous.starts_at, previous.time_zone)}.")
        session.add(section)
        session.flush()
    start = (session.scalar(select(AgendaItem.position).where(AgendaItem.meeting_id == meeting.id)
                            .order_by(AgendaItem.position).limit(1)) or 0) - len(pending)
    for offset, item in enumerate(pending):
        session.add(AgendaItem(
            meeting_id=meeting.id, section_id=section.id, position=start + offset, title=item.title,
            talking_points=item.talking_points, owner_id=item.owner_id, owner_role=item.owner_role,
            time_box_minutes=item.time_box_minutes, carried_over_from_id=item.id, created_by_id=item.created_by_id,
        ))
    session.flush()
    return len(pending)
