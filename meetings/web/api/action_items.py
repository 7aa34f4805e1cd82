"""/api/v1/action-items: the list and its exports, with the same filters as the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Stream
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.action_item_export import action_item_page, today_for
from meetings.models import User
from meetings.web.action_item_pages import export_response, query_filter


class ActionItemApiController(Controller):
    """Action items across meetings."""

    path = "/api/v1/action-items"
    tags = ["action items"]

    @get("/", sync_to_thread=True)
    def list_items(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                   actor: NamedDependency[Actor], user: NamedDependency[User],
                   now: NamedDependency[datetime]) -> dict[str, Any]:
        """A page of action items: ``scope``, ``assignee``, ``team``, ``series``, ``meeting``, ``status``,
        ``due_after``, ``due_before``, ``overdue=on``, ``sort``, ``page``."""
        page_text = request.query_params.get("page", "1")
        page = int(page_text) if page_text.isdigit() else 1
        items, more = action_item_page(db_session, query_filter(request), actor, today_for(user.time_zone, now), page)
        return {"page": page, "more": more, "items": [{
            "id": a.id, "title": a.title, "description": a.description, "assignee_id": a.assignee_id,
            "assignee_email": a.assignee.email if a.assignee else None,
            "due_date": a.due_date.isoformat() if a.due_date else None, "status": a.status.value,
            "meeting_id": a.meeting_id, "meeting_title": a.meeting.title, "agenda_item_id": a.agenda_item_id,
            "completed_at": a.completed_at.isoformat() if a.completed_at else None,
        } for a in items]}

    @get("/export.csv", sync_to_thread=False)
    def export_csv(self, request: Request[Any, Any, Any], actor: NamedDependency[Actor],
                   user: NamedDependency[User], now: NamedDependency[datetime]) -> Stream:
        """Every matching action item as CSV (``bom=on`` for Excel)."""
        return export_response(request.app.state.db, query_filter(request), actor, today_for(user.time_zone, now),
                               request.app.state.settings.base_url, "csv", request.query_params.get("bom") == "on")

    @get("/export.json", sync_to_thread=False)
    def export_json(self, request: Request[Any, Any, Any], actor: NamedDependency[Actor],
                    user: NamedDependency[User], now: NamedDependency[datetime]) -> Stream:
        """Every matching action item as JSON."""
        return export_response(request.app.state.db, query_filter(request), actor, today_for(user.time_zone, now),
                               request.app.state.settings.base_url, "json", False)
