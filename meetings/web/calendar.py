"""Calendar files: a person's subscription feed (secret URL) and one meeting's .ics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.orm import Session

from meetings.domain.calendar_feed import calendar_feed
from meetings.integrations.calendar import feed_calendar

ICS = "text/calendar; charset=utf-8"


class CalendarFeedController(Controller):
    """/calendar/{token}/feed.ics: no sign-in, the secret in the URL is the key (reset it in Settings)."""

    path = "/calendar"
    include_in_schema = False

    @get("/{token:str}/feed.ics", sync_to_thread=True)
    def feed(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
             now: NamedDependency[datetime], token: FromPath[str]) -> Response[bytes]:
        """The feed: meetings as events, action items as to-dos."""
        feed = calendar_feed(db_session, token, now)
        body = feed_calendar(f"Meetings: {feed.user.name}", feed.meetings, feed.items,
                             request.app.state.settings.base_url, now, feed.series)
        return Response(body, media_type=ICS, headers={"Content-Disposition": 'inline; filename="meetings.ics"'})
