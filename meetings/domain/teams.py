"""Teams: reading them, and managing members, roles and reporting lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import Actor
from meetings.domain.accounts import create_invitation
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.domain.outbox import EmailComposer
from meetings.domain.users import normalize_email
from meetings.models import Invitation, ReportingLine, Team, TeamMembership, TeamRole, User

MAX_TEAM_NAME = 120


def teams_of(session: Session, actor: Actor, member_only: bool = False) -> list[Team]:
    """The teams ``actor`` belongs to (every team for an admin unless ``member_only``), with members."""
    query = select(Team).order_by(Team.name).options(selectinload(Team.memberships).selectinload(TeamMembership.user))
    if member_only or not actor.is_admin:
        query = query.where(Team.id.in_(actor.team_ids))
    return list(session.scalars(query))


def get_team(session: Session, actor: Actor, team_id: int) -> Team:
    """A team its members and admins may see; NotFoundError for anyone else."""
    if not (actor.is_admin or team_id in actor.team_ids):
        raise NotFoundError(f"team {team_id}")
    team = session.scalar(
        select(Team).where(Team.id == team_id)
        .options(selectinload(Team.memberships).selectinload(TeamMembership.user))
    )
    if team is None:
        raise NotFoundError(f"team {team_id}")
    return team


def _require_manager(actor: Actor, team_id: int) -> None:
    if not actor.manages_team(team_id):
        if team_id in actor.team_ids:
            raise ForbiddenError("Only the team's managers and workspace admins can do this.")
        raise NotFoundError(f"team {team_id}")


def _check_name(session: Session, name: str, team_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a team name."})
    if len(name) > MAX_TEAM_NAME:
        raise ValidationError({"name": f"Use at most {MAX_TEAM_NAME} characters."})
    clash = session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower(), Team.id != (team_id or 0)))
    if clash is not None:
        raise ValidationError({"name": "Another team already has this name."})
    return name


def create_team(session: Session, actor: Actor, name: str) -> Team:
    """Admins create teams; the creator is not made a member."""
    if not actor.is_admin:
        raise ForbiddenError("Only workspace admins can create teams.")
    team = Team(name=_check_name(session, name))
    session.add(team)
    session.flush()
    return team


def rename_team(session: Session, actor: Actor, team_id: int, name: str) -> Team:
    """Managers of the team and admins rename it."""
    _require_manager(actor, team_id)
    team = get_team(session, actor, team_id)
    team.name = _check_name(session, name, team_id)
    return team


def invite_member(
    session: Session, composer: EmailComposer, actor: Actor, inviter: User, team_id: int,
    email: str, role: TeamRole, now: datetime,
) -> Invitation:
    """Email an invitation to join the team; refused for someone already in it."""
    _require_manager(actor, team_id)
    team = get_team(session, actor, team_id)
    normalized = normalize_email(email)
    if any(m.user.email == normalized for m in team.memberships):
        raise ValidationError({"email": "This person is already a member of the team."})
    return create_invitation(session, composer, email=normalized, team_id=team_id, role=role,
                             invited_by=inviter, now=now, team_name=team.name)


def set_member_role(session: Session, actor: Actor, team_id: int, user_id: int, role: TeamRole) -> None:
    """Make a member a manager of the team, or a plain member again."""
    _require_manager(actor, team_id)
    membership = session.scalar(select(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.user_id == user_id))
    if membership is None:
        raise NotFoundError(f"member {user_id} of team {team_id}")
    if role is TeamRole.MEMBER and membership.role is TeamRole.MANAGER and not actor.is_admin:
        if _manager_count(session, team_id) <= 1:
            raise ValidationError({"role": "A team keeps at least one manager."})
    membership.role = role


def _manager_count(session: Session, team_id: int) -> int:
    return session.scalar(select(func.count()).select_from(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.role == TeamRole.MANAGER)) or 0


def remove_member(session: Session, actor: Actor, team_id: int, user_id: int) -> None:
    """Take someone out of the team (their past meetings and action items stay)."""
    _require_manager(actor, team_id)
    deleted = session.execute(delete(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.user_id == user_id))
    if deleted.rowcount == 0:
        raise NotFoundError(f"member {user_id} of team {team_id}")


def set_manager(session: Session, actor: Actor, report_id: int, manager_id: int | None) -> None:
    """Admins record who reports to whom (one manager per person); None removes the line."""
    if not actor.is_admin:
        raise ForbiddenError("Only workspace admins can change reporting lines.")
    if session.get(User, report_id) is None:
        raise NotFoundError(f"user {report_id}")
    if manager_id is not None:
        if manager_id == report_id:
            raise ValidationError({"manager": "Nobody can be their own manager."})
        if session.get(User, manager_id) is None:
            raise ValidationError({"manager": "Choose a manager from the list."})
    session.execute(delete(ReportingLine).where(ReportingLine.report_id == report_id))
    if manager_id is not None:
        session.add(ReportingLine(manager_id=manager_id, report_id=report_id))
