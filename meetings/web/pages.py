"""The browsable pages: dashboard, meetings list and the meeting page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from meetings.domain import action_items as action_item_queries
from meetings.domain import meetings as meeting_queries
from meetings.domain.access import Actor
from meetings.domain.teams import teams_of
from meetings.models import User


class PageController(Controller):
    """Server-rendered pages; each handler asks the domain and renders a template."""

    include_in_schema = False

    @get("/", name="dashboard", sync_to_thread=True)
    def dashboard(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                  user: NamedDependency[User], now: NamedDependency[datetime]) -> Template:
        """My upcoming meetings, my open action items (overdue ones stand out) and my teams."""
        actions = action_item_queries.my_open_action_items(db_session, actor, limit=20)
        return Template(
            "dashboard/index.html",
            context={
                "now": now,
                "meetings": meeting_queries.upcoming_meetings(db_session, actor, now, limit=10, mine_only=True),
                "waiting": meeting_queries.waiting_for_my_topics(db_session, actor, now),
                "action_items": actions,
                "overdue_ids": {a.id for a in actions if action_item_queries.is_overdue(a, now)},
                "teams": teams_of(db_session, actor, member_only=True),
            },
        )

    @get("/meetings", name="meetings", sync_to_thread=True)
    def meetings(
        self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], user: NamedDependency[User],
        now: NamedDependency[datetime],
        view: Annotated[str, QueryParameter(name="view")] = "list",
        team: Annotated[str, QueryParameter(name="team")] = "",
        series: Annotated[str, QueryParameter(name="series")] = "",
        week: Annotated[str, QueryParameter(name="week")] = "",
    ) -> Template:
        """Upcoming and past meetings I may see, as a list or a week, filtered by team or series."""
        team_id = int(team) if team.isdigit() else None
        series_id = int(series) if series.isdigit() else None
        zone = ZoneInfo(user.time_zone)
        context: dict[str, Any] = {
            "view": "week" if view == "week" else "list", "team": team, "series": series,
            "teams": teams_of(db_session, actor, member_only=True),
            "series_options": meeting_queries.visible_series(db_session, actor),
        }
        if context["view"] == "week":
            try:
                day = date.fromisoformat(week) if week else now.astimezone(zone).date()
            except ValueError:
                day = now.astimezone(zone).date()
            monday = day - timedelta(days=day.weekday())
            start = datetime.combine(monday, time(0), tzinfo=zone)
            found = meeting_queries.meetings_between(db_session, actor, start, start + timedelta(days=7),
                                                     team_id=team_id, series_id=series_id)
            days = [monday + timedelta(days=n) for n in range(7)]
            context.update(days=days, today=now.astimezone(zone).date(), zone=user.time_zone,
                           by_day={d: [m for m in found if m.starts_at.astimezone(zone).date() == d] for d in days},
                           previous_week=(monday - timedelta(days=7)).isoformat(),
                           next_week=(monday + timedelta(days=7)).isoformat())
        else:
            context.update(
                upcoming=meeting_queries.upcoming_meetings(db_session, actor, now, limit=50, team_id=team_id,
                                                           series_id=series_id),
                past=meeting_queries.past_meetings(db_session, actor, now, limit=50, team_id=team_id,
                                                   series_id=series_id),
            )
        return Template("meetings/list.html", context=context)
