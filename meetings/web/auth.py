"""Who is asking: the session cookie for pages, a bearer token for the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, actor_for
from meetings.domain.api_tokens import user_for_api_token
from meetings.domain.sessions import user_for_session
from meetings.models import User
from meetings.settings import Settings

SESSION_COOKIE = "meetings_session"


@dataclass(frozen=True)
class Viewer:
    """What the page layout shows of the signed-in user; a plain copy, so that error pages can show it
    after the request's database session is gone."""

    id: int
    name: str
    email: str
    time_zone: str
    is_admin: bool


class SignInRequired(Exception):
    """Raised by ``provide_user`` for anonymous visitors; errors.py answers 303 to /signin or 401."""


def is_api(request: Request[Any, Any, Any]) -> bool:
    """The JSON API lives under /api/ and authenticates with bearer tokens only, so that it needs no
    CSRF protection: a browser never sends those by itself."""
    return request.url.path.startswith("/api/")


def provide_current_user(
    request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime]
) -> User | None:
    """The signed-in user, or None."""
    settings: Settings = request.app.state.settings
    if is_api(request):
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return None
        user = user_for_api_token(db_session, credentials.strip(), now)
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        user = user_for_session(db_session, raw, now, timedelta(days=settings.session_days)) if raw else None
    request.state.viewer = (
        Viewer(user.id, user.name, user.email, user.time_zone, user.is_admin) if user is not None else None
    )
    return user


def provide_user(current_user: NamedDependency[User | None]) -> User:
    """The signed-in user; anonymous visitors are sent to sign in."""
    if current_user is None:
        raise SignInRequired
    return current_user


def provide_actor(db_session: NamedDependency[Session], user: NamedDependency[User]) -> Actor:
    """The signed-in user as the authorization rules see them."""
    return actor_for(db_session, user)


def session_cookie(settings: Settings, value: str) -> Cookie:
    """The sign-in cookie: HttpOnly, SameSite=Lax, Secure when served over https."""
    return Cookie(key=SESSION_COOKIE, value=value, httponly=True, samesite="lax", secure=settings.secure_cookies,
                  max_age=settings.session_days * 86400, path="/")


def cleared_session_cookie(settings: Settings) -> Cookie:
    """Removes the sign-in cookie from the browser."""
    return Cookie(key=SESSION_COOKIE, value="", httponly=True, samesite="lax", secure=settings.secure_cookies,
                  max_age=0, path="/")


def sign_in_redirect(request: Request[Any, Any, Any]) -> str:
    """/signin with a ``next`` that brings the visitor back where they were."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/signin?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"

