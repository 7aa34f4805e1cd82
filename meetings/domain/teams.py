"""Reading teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.models import Team, TeamMembership


def teams_overview(session: Session) -> list[Team]:
    """Every team with its members, by name."""
    query = (
        select(Team)
        .order_by(Team.name)
        .options(selectinload(Team.memberships).selectinload(TeamMembership.user))
    )
    return list(session.scalars(query))
