"""Who may see what: the one authorization rule that every way into the data asks.

- A meeting with team visibility: every member of its team, plus its organiser and attendees.
- Attendees-only and private 1-on-1 meetings: the organiser and the attendees, nobody else.
- Workspace admins manage people and teams but get no extra access to meetings.
- Private notes: their author only.
A user who may not see an object gets NotFoundError, exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from meetings.domain.errors import NotFoundError
from meetings.models import (
    Meeting,
    MeetingAttendee,
    Note,
    NoteVisibility,
    TeamMembership,
    TeamRole,
    User,
    Visibility,
)


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the rules see them."""

    user_id: int
    is_admin: bool
    team_ids: frozenset[int]
    managed_team_ids: frozenset[int]

    def manages_team(self, team_id: int) -> bool:
        """Admins and the team's managers manage a team's members and settings."""
        return self.is_admin or team_id in self.managed_team_ids


def actor_for(session: Session, user: User) -> Actor:
    """Load the facts the rules need about ``user`` (one query)."""
    rows = session.execute(
        select(TeamMembership.team_id, TeamMembership.role).where(TeamMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id,
        is_admin=user.is_admin,
        team_ids=frozenset(team_id for team_id, _ in rows),
        managed_team_ids=frozenset(team_id for team_id, role in rows if role is TeamRole.MANAGER),
    )


def attending(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause selecting the meetings ``actor`` organises or attends."""
    is_attendee = exists().where(MeetingAttendee.meeting_id == Meeting.id, MeetingAttendee.user_id == actor.user_id)
    return or_(Meeting.organizer_id == actor.user_id, is_attendee)


def visible_meetings(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause selecting the meetings ``actor`` may see (for lists, exports, feeds, search)."""
    return or_(
        attending(actor),
        and_(Meeting.visibility == Visibility.TEAM, Meeting.team_id.in_(actor.team_ids)),
    )


def can_see_meeting(session: Session, actor: Actor, meeting_id: int) -> bool:
    """The single-object form of ``visible_meetings``."""
    return session.scalar(select(Meeting.id).where(Meeting.id == meeting_id, visible_meetings(actor))) is not None


def require_meeting(session: Session, actor: Actor, meeting_id: int) -> None:
    """Raise NotFoundError unless ``actor`` may see the meeting."""
    if not can_see_meeting(session, actor, meeting_id):
        raise NotFoundError(f"meeting {meeting_id}")


def visible_notes(actor: Actor) -> ColumnElement[bool]:
    """Shared notes, and the actor's own private notes; never anyone else's, not even for admins."""
    return or_(
        Note.visibility == NoteVisibility.SHARED,
        and_(Note.visibility == NoteVisibility.PRIVATE, Note.author_id == actor.user_id),
    )
