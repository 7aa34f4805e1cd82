"""The browsable pages: dashboard, meetings list and the meeting page."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
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
                "action_items": actions,
                "overdue_ids": {a.id for a in actions if action_item_queries.is_overdue(a, now)},
                "teams": teams_of(db_session, actor, member_only=True),
            },
        )

    @get("/meetings", name="meetings", sync_to_thread=True)
    def meetings(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 now: NamedDependency[datetime]) -> Template:
        """Upcoming and past meetings I may see."""
        return Template(
            "meetings/list.html",
            context={
                "upcoming": meeting_queries.upcoming_meetings(db_session, actor, now, limit=50),
                "past": meeting_queries.past_meetings(db_session, actor, now, limit=50),
            },
        )
