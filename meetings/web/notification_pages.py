"""Reminder choices: the settings page, and unsubscribe links that work without signing in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import notification_prefs
from meetings.domain.errors import ValidationError
from meetings.domain.users import time_zone_names
from meetings.models import User
from meetings.web.forms import FormData, field, form_error, values_of


def _context(session: Session, user: User, **extra: Any) -> dict[str, Any]:
    pref = notification_prefs.preferences_of(session, user.id)
    values = {
        "kinds": [k for k in notification_prefs.KINDS if getattr(pref, k) and not pref.unsubscribed_all],
        "digest_weekday": str(pref.digest_weekday),
        "quiet_hours_start": pref.quiet_hours_start.strftime("%H:%M") if pref.quiet_hours_start else "",
        "quiet_hours_end": pref.quiet_hours_end.strftime("%H:%M") if pref.quiet_hours_end else "",
        "time_zone": user.time_zone,
    }
    return {"kinds": notification_prefs.KINDS, "weekdays": notification_prefs.WEEKDAYS,
            "zones": sorted(time_zone_names()), "errors": {}, "values": values, **extra}


class NotificationSettingsController(Controller):
    """/settings/notifications: which reminders, when not to send them, and the digest day."""

    path = "/settings/notifications"
    include_in_schema = False

    @get("/", name="notification_settings", sync_to_thread=True)
    def page(self, db_session: NamedDependency[Session], user: NamedDependency[User],
             saved: FromQuery[str | None] = None) -> Template:
        """The choices as they are now."""
        return Template("settings/notifications.html", context=_context(db_session, user, saved=saved))

    @post("/", sync_to_thread=True)
    def save(self, db_session: NamedDependency[Session], user: NamedDependency[User],
             data: FormData) -> Template | Redirect:
        """Save every choice at once, or none with the problems shown by their fields."""
        choice = notification_prefs.PreferenceChoice(
            kinds=frozenset(values_of(data, "kinds")), digest_weekday=field(data, "digest_weekday"),
            quiet_hours_start=field(data, "quiet_hours_start"), quiet_hours_end=field(data, "quiet_hours_end"),
            time_zone=field(data, "time_zone"))
        try:
            notification_prefs.update_preferences(db_session, user, choice)
        except ValidationError as exc:
            db_session.rollback()
            response = form_error("settings/notifications.html", _context(db_session, user), exc.errors, data)
            response.context["values"]["kinds"] = sorted(choice.kinds)  # the boxes as they were ticked
            return response
        return Redirect("/settings/notifications?saved=1", status_code=303)


class UnsubscribeController(Controller):
    """/unsubscribe/{token}: the link in every reminder. The signed token is the key, so no sign-in.

    GET only shows a button (mail scanners open links); POST unsubscribes. Mail clients' one-click
    unsubscribe (RFC 8058) posts ``List-Unsubscribe=One-Click`` here without a CSRF token, which is
    why this path is exempt from CSRF: the token itself proves the request.
    """

    path = "/unsubscribe"
    include_in_schema = False

    def _read(self, request: Request[Any, Any, Any], token: str) -> tuple[int, str] | None:
        return notification_prefs.read_unsubscribe_token(request.app.state.secret_key, token)

    @get("/{token:str}", name="unsubscribe", sync_to_thread=True)
    def confirm(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        """What the link would stop, with a button to do it."""
        found = self._read(request, token)
        if found is None:
            return Template("settings/unsubscribe.html", context={"invalid": True}, status_code=404)
        return Template("settings/unsubscribe.html", context={"token": token, "what": self._what(found[1])})

    @post("/{token:str}", sync_to_thread=True)
    def unsubscribe(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                    token: FromPath[str]) -> Template:
        """Stop that kind of reminder (or all of them) for the person the token names."""
        found = self._read(request, token)
        if found is None or db_session.get(User, found[0]) is None:
            return Template("settings/unsubscribe.html", context={"invalid": True}, status_code=404)
        notification_prefs.unsubscribe(db_session, *found)
        return Template("settings/unsubscribe.html", context={"done": True, "what": self._what(found[1])})

    @staticmethod
    def _what(kind: str) -> str:
        return "every reminder" if kind == notification_prefs.ALL else notification_prefs.KINDS[kind].lower()
