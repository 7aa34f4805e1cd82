"""/api/v1: the same operations as the pages, for scripts and integrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.orm import Session

from meetings.domain import accounts, admin_users, api_tokens
from meetings.domain import teams as team_service
from meetings.domain.access import Actor
from meetings.domain.errors import NotFoundError, ValidationError
from meetings.models import TeamRole, User
from meetings.web.api.serializers import team_json, token_json, user_json
from meetings.web.mail import deliver_soon


def _text(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ValidationError({name: "Must be a string."})
    return value


def _bool(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ValidationError({name: "Must be true or false."})
    return value


def _role(data: JSONBody[dict[str, Any]]) -> TeamRole:
    try:
        return TeamRole(_text(data, "role", "member"))
    except ValueError:
        raise ValidationError({"role": "Must be manager or member."}) from None


class MeController(Controller):
    """The signed-in user's own account."""

    path = "/api/v1/me"
    tags = ["me"]

    @get("/", sync_to_thread=False)
    def me(self, user: NamedDependency[User]) -> dict[str, Any]:
        """The user the token belongs to."""
        return user_json(user)

    @patch("/", sync_to_thread=True)
    def update_me(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                  data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Change name, email or time zone (fields left out stay as they are)."""
        accounts.update_profile(db_session, user, name=_text(data, "name", user.name),
                                email=_text(data, "email", user.email), time_zone=_text(data, "time_zone", user.time_zone))
        return user_json(user)

    @post("/password", sync_to_thread=True, status_code=204)
    def change_password(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                        data: JSONBody[dict[str, Any]]) -> None:
        """Change the password, given the current one."""
        accounts.change_password(db_session, user, current=_text(data, "current_password"),
                                 new=_text(data, "new_password"))


class TokenApiController(Controller):
    """Personal API tokens."""

    path = "/api/v1/tokens"
    tags = ["tokens"]

    @get("/", sync_to_thread=True)
    def list_tokens(self, db_session: NamedDependency[Session], user: NamedDependency[User]) -> list[dict[str, Any]]:
        """Tokens that still work (their values are never shown again)."""
        return [token_json(t) for t in api_tokens.tokens_of(db_session, user)]

    @post("/", sync_to_thread=True, status_code=201)
    def create_token(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                     now: NamedDependency[datetime], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """A new token; ``token`` in the answer is its only appearance."""
        token, raw = api_tokens.create_api_token(db_session, user, _text(data, "name"), now)
        return {**token_json(token), "token": raw}

    @delete("/{token_id:int}", sync_to_thread=True)
    def revoke_token(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                     now: NamedDependency[datetime], token_id: FromPath[int]) -> None:
        """Revoke a token."""
        api_tokens.revoke_api_token(db_session, user, token_id, now)


class TeamApiController(Controller):
    """Teams, members and invitations."""

    path = "/api/v1/teams"
    tags = ["teams"]

    @get("/", sync_to_thread=True)
    def list_teams(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor]) -> list[dict[str, Any]]:
        """My teams (every team for admins)."""
        return [team_json(t) for t in team_service.teams_of(db_session, actor)]

    @post("/", sync_to_thread=True, status_code=201)
    def create_team(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Create a team (admins)."""
        team = team_service.create_team(db_session, actor, _text(data, "name"))
        return {"id": team.id, "name": team.name, "members": []}

    @get("/{team_id:int}", sync_to_thread=True)
    def get_team(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 team_id: FromPath[int]) -> dict[str, Any]:
        """One team with its members."""
        return team_json(team_service.get_team(db_session, actor, team_id))

    @patch("/{team_id:int}", sync_to_thread=True)
    def rename_team(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    team_id: FromPath[int], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Rename a team (its managers and admins)."""
        return team_json(team_service.rename_team(db_session, actor, team_id, _text(data, "name")))

    @post("/{team_id:int}/invitations", sync_to_thread=True, status_code=201)
    def invite(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime],
               team_id: FromPath[int], data: JSONBody[dict[str, Any]]) -> Response[dict[str, Any]]:
        """Email an invitation to join the team."""
        invitation = team_service.invite_member(db_session, request.app.state.email_composer, actor, user, team_id,
                                                _text(data, "email"), _role(data), now)
        body = {"id": invitation.id, "email": invitation.email, "expires_at": invitation.expires_at.isoformat()}
        return Response(body, status_code=201, background=deliver_soon(request.app, now))

    @patch("/{team_id:int}/members/{user_id:int}", sync_to_thread=True)
    def set_role(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
                 user_id: FromPath[int], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Change a member's role."""
        team_service.set_member_role(db_session, actor, team_id, user_id, _role(data))
        return team_json(team_service.get_team(db_session, actor, team_id))

    @delete("/{team_id:int}/members/{user_id:int}", sync_to_thread=True)
    def remove_member(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                      team_id: FromPath[int], user_id: FromPath[int]) -> None:
        """Take someone out of the team."""
        team_service.remove_member(db_session, actor, team_id, user_id)


class UserApiController(Controller):
    """User administration (workspace admins)."""

    path = "/api/v1/users"
    tags = ["admin"]

    @get("/", sync_to_thread=True)
    def list_users(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor]) -> list[dict[str, Any]]:
        """Every user with their manager."""
        return [{**user_json(u), "manager_id": m.id if m else None}
                for u, m in admin_users.list_users(db_session, actor)]

    @patch("/{user_id:int}", sync_to_thread=True)
    def update_user(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    user_id: FromPath[int], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Set ``is_admin``, ``is_active`` and ``manager_id`` (fields left out stay as they are)."""
        users = {u.id: (u, m) for u, m in admin_users.list_users(db_session, actor)}
        if user_id not in users:
            raise NotFoundError(f"user {user_id}")
        target, manager = users[user_id]
        user = admin_users.set_user_flags(db_session, actor, user_id,
                                          is_admin=_bool(data, "is_admin", target.is_admin),
                                          is_active=_bool(data, "is_active", target.is_active))
        if "manager_id" in data:
            manager_id = data["manager_id"]
            if manager_id is not None and not isinstance(manager_id, int):
                raise ValidationError({"manager_id": "Must be a user id or null."})
            team_service.set_manager(db_session, actor, user_id, manager_id)
            manager = db_session.get(User, manager_id) if manager_id else None
        return {**user_json(user), "manager_id": manager.id if manager else None}
