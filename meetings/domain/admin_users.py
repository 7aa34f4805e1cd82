"""User administration, for workspace admins only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from meetings.domain.access import Actor
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.domain.sessions import end_all_sessions
from meetings.models import ReportingLine, User, Workspace


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("Only workspace admins can manage users.")


def list_users(session: Session, actor: Actor) -> list[tuple[User, User | None]]:
    """Every user with their manager, by name."""
    _require_admin(actor)
    manager = aliased(User)
    rows = session.execute(
        select(User, manager)
        .outerjoin(ReportingLine, ReportingLine.report_id == User.id)
        .outerjoin(manager, manager.id == ReportingLine.manager_id)
        .order_by(func.lower(User.name), User.id)
    ).all()
    return [(user, mgr) for user, mgr in rows]


def set_user_flags(session: Session, actor: Actor, user_id: int, *, is_admin: bool, is_active: bool) -> User:
    """Grant or take admin rights, deactivate or reactivate an account."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id}")
    if user.id == actor.user_id and (not is_admin or not is_active):
        raise ValidationError({"form": "You can't remove your own admin rights or deactivate yourself."})
    user.is_admin, user.is_active = is_admin, is_active
    if not is_active:
        end_all_sessions(session, user.id)
    return user


def set_open_signup_domain(session: Session, actor: Actor, domain: str) -> None:
    """Let anyone with an address at ``domain`` sign up (empty turns open sign-up off)."""
    _require_admin(actor)
    domain = domain.strip().lower().lstrip("@")
    if domain and ("." not in domain or any(c in domain for c in " /@")):
        raise ValidationError({"domain": "Enter a domain like example.com, or leave it empty."})
    row = session.scalar(select(Workspace).limit(1))
    if row is None:
        row = Workspace(name="Meetings")
        session.add(row)
    row.open_signup_domain = domain or None
