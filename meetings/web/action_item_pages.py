"""The action items page: everything I owe, and for managers what their team and reports owe."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import action_item_changes as changes
from meetings.domain import action_items as queries
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.web.forms import FormData, field

VIEWS = ("mine", "team")
STATUSES = ("open", "done", "cancelled", "all")


def _page(session: Session, actor: Actor, now: datetime, view: str, status: str, errors: dict[str, str] | None = None,
          failed_id: int | None = None) -> Template:
    view = view if view in VIEWS else "mine"
    status = status if status in STATUSES else "open"
    items = queries.action_items_of(session, actor, view=view, status=status)
    return Template("action_items/list.html", status_code=400 if errors else 200, context={
        "items": items, "view": view, "status": status, "choices": queries.reassign_choices(session, items),
        "overdue_ids": {i.id for i in items if queries.is_overdue(i, now)}, "errors": errors or {},
        "failed_id": failed_id, "is_manager": bool(actor.managed_team_ids),
    })


class ActionItemController(Controller):
    """/action-items: complete or reassign right from the list."""

    path = "/action-items"
    include_in_schema = False

    @get("/", name="action_items", sync_to_thread=True)
    def list_items(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   now: NamedDependency[datetime],
                   view: Annotated[str, QueryParameter(name="view")] = "mine",
                   status: Annotated[str, QueryParameter(name="status")] = "open") -> Template:
        """My action items, or my team's and reports' (``view=team``), by status."""
        return _page(db_session, actor, now, view, status)

    @post("/{action_id:int}/status", sync_to_thread=True)
    def set_status(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   now: NamedDependency[datetime], action_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Complete, cancel or reopen."""
        try:
            changes.set_action_status(db_session, actor, action_id, field(data, "status"), now)
        except ValidationError as exc:
            return _page(db_session, actor, now, field(data, "view"), field(data, "from_status"), exc.errors, action_id)
        return Redirect(f"/action-items?view={field(data, 'view') or 'mine'}&status={field(data, 'from_status') or 'open'}",
                        status_code=303)

    @post("/{action_id:int}/reassign", sync_to_thread=True)
    def reassign(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 now: NamedDependency[datetime], action_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Give the action item to someone else from its meeting or team."""
        try:
            changes.reassign_action_item(db_session, actor, action_id, field(data, "assignee_id"))
        except ValidationError as exc:
            db_session.rollback()
            return _page(db_session, actor, now, field(data, "view"), field(data, "from_status"), exc.errors, action_id)
        return Redirect(f"/action-items?view={field(data, 'view') or 'mine'}&status={field(data, 'from_status') or 'open'}",
                        status_code=303)
