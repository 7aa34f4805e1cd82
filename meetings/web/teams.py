"""Team pages: the teams one belongs to, members, roles and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import teams as team_service
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.models import TeamRole, User
from meetings.web.forms import FormData, field, form_error
from meetings.web.mail import deliver_soon


def _role(value: str) -> TeamRole:
    try:
        return TeamRole(value)
    except ValueError:
        raise ValidationError({"role": "Choose manager or member."}) from None


class TeamController(Controller):
    """/teams: members see their teams; managers and admins manage them."""

    path = "/teams"
    include_in_schema = False

    @get("/", name="teams", sync_to_thread=True)
    def teams(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor]) -> Template:
        """My teams (all teams for admins), and a form to create one for admins."""
        return Template("teams/list.html", context={"teams": team_service.teams_of(db_session, actor),
                                                     "actor": actor, "errors": {}, "values": {}})

    @post("/", sync_to_thread=True)
    def create(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               data: FormData) -> Template | Redirect:
        """Create a team (admins)."""
        try:
            team = team_service.create_team(db_session, actor, field(data, "name"))
        except ValidationError as exc:
            return form_error("teams/list.html", {"teams": team_service.teams_of(db_session, actor), "actor": actor},
                              exc.errors, data)
        return Redirect(f"/teams/{team.id}", status_code=303)

    def _page(self, session: Session, actor: Actor, team_id: int, **extra: Any) -> dict[str, Any]:
        team = team_service.get_team(session, actor, team_id)
        members = sorted(team.memberships, key=lambda m: m.user.name.lower())
        return {"team": team, "members": members, "can_manage": actor.manages_team(team_id), "actor": actor,
                "errors": {}, "values": {"name": team.name}, **extra}

    @get("/{team_id:int}", name="team", sync_to_thread=True)
    def team(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
             invited: FromQuery[str | None] = None) -> Template:
        """Members and their roles; invitations for managers."""
        return Template("teams/detail.html", context=self._page(db_session, actor, team_id, invited=invited))

    @post("/{team_id:int}/rename", sync_to_thread=True)
    def rename(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
               data: FormData) -> Template | Redirect:
        """Rename the team."""
        try:
            team_service.rename_team(db_session, actor, team_id, field(data, "name"))
        except ValidationError as exc:
            return form_error("teams/detail.html", self._page(db_session, actor, team_id), exc.errors, data)
        return Redirect(f"/teams/{team_id}", status_code=303)

    @post("/{team_id:int}/invitations", sync_to_thread=True)
    def invite(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime],
               team_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Email an invitation to join the team."""
        try:
            invitation = team_service.invite_member(
                db_session, request.app.state.email_composer, actor, user, team_id,
                field(data, "email"), _role(field(data, "role") or "member"), now,
            )
        except ValidationError as exc:
            return form_error("teams/detail.html", self._page(db_session, actor, team_id), exc.errors, data)
        return Redirect(f"/teams/{team_id}?invited={invitation.email}", status_code=303,
                        background=deliver_soon(request.app, now))

    @post("/{team_id:int}/members/{user_id:int}/role", sync_to_thread=True)
    def set_role(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
                 user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Make a member a manager, or a manager a member."""
        try:
            team_service.set_member_role(db_session, actor, team_id, user_id, _role(field(data, "role")))
        except ValidationError as exc:
            return form_error("teams/detail.html", self._page(db_session, actor, team_id), exc.errors, data)
        return Redirect(f"/teams/{team_id}", status_code=303)

    @post("/{team_id:int}/members/{user_id:int}/remove", sync_to_thread=True)
    def remove(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
               user_id: FromPath[int]) -> Redirect:
        """Take someone out of the team."""
        team_service.remove_member(db_session, actor, team_id, user_id)
        return Redirect(f"/teams/{team_id}", status_code=303)
