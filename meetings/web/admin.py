"""Workspace administration: users, reporting lines, invitations and open sign-up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import accounts, admin_users
from meetings.domain import teams as team_service
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.outbox_admin import outbox_messages, retry_failed
from meetings.models import TeamRole, User
from meetings.web.forms import FormData, field, form_error
from meetings.web.mail import deliver_soon


def _context(session: Session, actor: Actor, **extra: Any) -> dict[str, Any]:
    users = admin_users.list_users(session, actor)
    workspace = accounts.workspace(session)
    return {"users": users, "all_users": [u for u, _ in users], "workspace": workspace, "actor": actor,
            "errors": {}, "values": {"domain": workspace.open_signup_domain or ""}, **extra}


class AdminController(Controller):
    """/admin: for workspace admins only (others get 403)."""

    path = "/admin"
    include_in_schema = False

    @get("/users", name="admin_users", sync_to_thread=True)
    def users(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
              invited: FromQuery[str | None] = None) -> Template:
        """Every user, their rights and manager; invitations; open sign-up."""
        return Template("admin/users.html", context=_context(db_session, actor, invited=invited))

    @post("/users/{user_id:int}", sync_to_thread=True)
    def update_user(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Admin rights, active flag and manager of one user."""
        manager_text = field(data, "manager_id")
        try:
            manager_id = int(manager_text) if manager_text else None
        except ValueError:
            manager_id = -1  # reported as "choose a manager from the list"
        try:
            admin_users.set_user_flags(db_session, actor, user_id, is_admin=field(data, "is_admin") == "on",
                                       is_active=field(data, "is_active") == "on")
            team_service.set_manager(db_session, actor, user_id, manager_id)
        except ValidationError as exc:
            db_session.rollback()  # the flags may already be set: keep nothing of a refused change
            return form_error("admin/users.html", _context(db_session, actor), exc.errors, data)
        return Redirect("/admin/users", status_code=303)

    @post("/invitations", sync_to_thread=True)
    def invite(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime],
               data: FormData) -> Template | Redirect:
        """Invite someone to the workspace, without a team."""
        admin_users.list_users(db_session, actor)  # admins only
        try:
            invitation = accounts.create_invitation(db_session, request.app.state.email_composer,
                                                    email=field(data, "email"), team_id=None, role=TeamRole.MEMBER,
                                                    invited_by=user, now=now)
        except ValidationError as exc:
            return form_error("admin/users.html", _context(db_session, actor), exc.errors, data)
        return Redirect(f"/admin/users?invited={invitation.email}", status_code=303,
                        background=deliver_soon(request.app, now))

    @post("/workspace", sync_to_thread=True)
    def workspace(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                  data: FormData) -> Template | Redirect:
        """Turn open sign-up for an email domain on or off."""
        try:
            admin_users.set_open_signup_domain(db_session, actor, field(data, "domain"))
        except ValidationError as exc:
            return form_error("admin/users.html", _context(db_session, actor), exc.errors, data)
        return Redirect("/admin/users", status_code=303)


class OutboxAdminController(Controller):
    """/admin/outbox: what the app owes people by email, and what failed (workspace admins)."""

    path = "/admin/outbox"
    include_in_schema = False

    @get("/", name="admin_outbox", sync_to_thread=True)
    def outbox(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               status: FromQuery[str | None] = None) -> Template:
        """Messages newest first; ``status=failed`` shows permanent failures."""
        admin_users.list_users(db_session, actor)  # admins only
        chosen = status if status in {"pending", "sending", "sent", "kept", "failed"} else None
        return Template("admin/outbox.html", context={"messages": outbox_messages(db_session, chosen),
                                                      "status": chosen or ""})

    @post("/{message_id:int}/retry", sync_to_thread=True)
    def retry(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
              actor: NamedDependency[Actor], now: NamedDependency[datetime], message_id: FromPath[int]) -> Redirect:
        """Send a failed message again (same Message-ID)."""
        admin_users.list_users(db_session, actor)  # admins only
        retry_failed(db_session, now, message_id)
        return Redirect("/admin/outbox?status=failed", status_code=303, background=deliver_soon(request.app, now))
