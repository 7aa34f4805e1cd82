"""A person's own settings: profile, password and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import accounts, api_tokens
from meetings.domain.calendar_feed import reset_calendar_token
from meetings.domain.errors import ValidationError
from meetings.domain.users import time_zone_names
from meetings.models import User
from meetings.web.forms import FormData, field, form_error


def _context(session: Session, user: User, **extra: Any) -> dict[str, Any]:
    return {"user": user, "zones": sorted(time_zone_names()), "tokens": api_tokens.tokens_of(session, user),
            "errors": {}, "values": {"name": user.name, "email": user.email, "time_zone": user.time_zone}, **extra}


class SettingsController(Controller):
    """/settings: what signed-in people change about themselves."""

    path = "/settings"
    include_in_schema = False

    @get("/", name="settings", sync_to_thread=True)
    def settings_page(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                      saved: FromQuery[str | None] = None) -> Template:
        """Profile, password and tokens on one page."""
        return Template("settings/index.html", context=_context(db_session, user, saved=saved))

    @post("/profile", sync_to_thread=True)
    def update_profile(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                       data: FormData) -> Template | Redirect:
        """Change name, email and time zone."""
        try:
            accounts.update_profile(db_session, user, name=field(data, "name"), email=field(data, "email"),
                                    time_zone=field(data, "time_zone"))
        except ValidationError as exc:
            return form_error("settings/index.html", _context(db_session, user), exc.errors, data)
        return Redirect("/settings?saved=profile", status_code=303)

    @post("/password", sync_to_thread=True)
    def change_password(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                        data: FormData) -> Template | Redirect:
        """Change the password, given the current one."""
        if field(data, "new_password") != field(data, "new_password_again"):
            errors = {"new_password_again": "The two new passwords are not the same."}
            return form_error("settings/index.html", _context(db_session, user), errors, data)
        try:
            accounts.change_password(db_session, user, current=field(data, "current_password"),
                                     new=field(data, "new_password"))
        except ValidationError as exc:
            return form_error("settings/index.html", _context(db_session, user), exc.errors, data)
        return Redirect("/settings?saved=password", status_code=303)

    @post("/tokens", sync_to_thread=True)
    def create_token(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                     now: NamedDependency[datetime], data: FormData) -> Template:
        """Create a token and show it this once."""
        try:
            token, raw = api_tokens.create_api_token(db_session, user, field(data, "token_name"), now)
        except ValidationError as exc:
            errors = {"token_name": exc.errors["name"]}
            return form_error("settings/index.html", _context(db_session, user), errors, data)
        return Template("settings/index.html", context=_context(db_session, user, new_token=raw, new_token_name=token.name))

    @post("/calendar-token", sync_to_thread=True)
    def calendar_token(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                       user: NamedDependency[User]) -> Template:
        """A new secret calendar feed URL, shown this once (the old one stops working)."""
        raw = reset_calendar_token(db_session, user)
        feed = f"{request.app.state.settings.base_url}/calendar/{raw}/feed.ics"
        return Template("settings/index.html", context=_context(db_session, user, feed_url=feed))

    @post("/tokens/{token_id:int}/revoke", sync_to_thread=True)
    def revoke_token(self, db_session: NamedDependency[Session], user: NamedDependency[User],
                     now: NamedDependency[datetime], token_id: FromPath[int]) -> Redirect:
        """Stop a token from working."""
        api_tokens.revoke_api_token(db_session, user, token_id, now)
        return Redirect("/settings?saved=revoked", status_code=303)
