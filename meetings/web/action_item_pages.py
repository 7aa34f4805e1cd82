"""Action items across all meetings: filters, sorting, paging, bulk changes and exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from anyio.to_thread import run_sync
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.db import Database
from meetings.domain import action_item_changes as changes
from meetings.domain import action_items as queries
from meetings.domain.access import Actor
from meetings.domain.action_item_export import (
    EXPORT_COLUMNS,
    ActionItemFilter,
    action_item_page,
    check_filter,
    export_rows,
    filter_choices,
    today_for,
)
from meetings.domain.errors import ValidationError
from meetings.integrations.csv_export import csv_chunks, json_chunks
from meetings.models import ActionItem, User
from meetings.web.forms import FormData, field
from meetings.web.live_hub import LiveHub


def query_filter(request: Request[Any, Any, Any]) -> ActionItemFilter:
    """The filter in the URL's query string (the page's form uses GET)."""
    params = {k: request.query_params.get(k) for k in request.query_params}
    if "view" in params and "scope" not in params:  # the first version of this page said view=mine|team
        params["scope"] = params["view"]
    return ActionItemFilter.from_mapping(params)


def _page(session: Session, actor: Actor, user: User, now: datetime, flt: ActionItemFilter, page: int,
          errors: dict[str, str] | None = None) -> Template:
    today = today_for(user.time_zone, now)
    try:
        items, more = action_item_page(session, flt, actor, today, page)
    except ValidationError as exc:
        errors, items, more = {**(errors or {}), **exc.errors}, [], False
    return Template("action_items/list.html", status_code=400 if errors else 200, context={
        "items": items, "flt": flt, "page": page, "more": more, "choices": queries.reassign_choices(session, items),
        "options": filter_choices(session, actor), "overdue_ids": {i.id for i in items if queries.is_overdue(i, now)},
        "errors": errors or {}, "is_manager": bool(actor.managed_team_ids), "query": flt.query_string(),
    })


def _rows(database: Database, flt: ActionItemFilter, actor: Actor | None, today: date,
          base_url: str) -> Iterator[list[str]]:
    # The request's session is closed once the handler returns, before the body streams: the export
    # reads through a session of its own, closed when the last row is out.
    with database.session(write=False) as session:
        yield from export_rows(session, flt, actor, today, base_url)


def export_response(database: Database, flt: ActionItemFilter, actor: Actor | None, today: date, base_url: str,
                    fmt: str, bom: bool) -> Stream:
    """The filtered action items as a streamed CSV or JSON download (a bad filter fails first)."""
    check_filter(flt, actor, today)
    rows = _rows(database, flt, actor, today, base_url)
    if fmt == "json":
        return Stream(json_chunks(EXPORT_COLUMNS, rows), media_type="application/json",
                      headers={"Content-Disposition": 'attachment; filename="action-items.json"'})
    return Stream(csv_chunks(EXPORT_COLUMNS, rows, bom=bom), media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": 'attachment; filename="action-items.csv"'})


async def tell_live_pages(request: Request[Any, Any, Any]) -> None:
    """After a change from the list has been answered (and committed): the open pages of the meetings
    the action items came from show it."""
    if request.method != "POST":
        return
    form = await request.form()
    raw = [request.path_params.get("action_id"), *form.getall("ids", [])]
    ids = [int(i) for i in raw if str(i).isdigit()]
    hub: LiveHub = request.app.state.live
    for meeting_id in await run_sync(_meetings_of, request.app.state.db, ids) if ids else []:
        await hub.changed(meeting_id)


def _meetings_of(database: Database, action_ids: list[int]) -> list[int]:
    with database.session(write=False) as session:
        return list(session.scalars(select(ActionItem.meeting_id).where(ActionItem.id.in_(action_ids),
                                                                         ActionItem.meeting_id.is_not(None))
                                    .distinct()))


class ActionItemController(Controller):
    """/action-items: the list, with changes right from it."""

    path = "/action-items"
    include_in_schema = False
    after_response = tell_live_pages

    @get("/", name="action_items", sync_to_thread=True)
    def list_items(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                   actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime]) -> Template:
        """Filters: scope (mine, team, all), assignee, team, series, meeting, status, due range, overdue."""
        page = request.query_params.get("page", "1")
        return _page(db_session, actor, user, now, query_filter(request), int(page) if page.isdigit() else 1)

    @get("/export.csv", sync_to_thread=False)
    def export_csv(self, request: Request[Any, Any, Any],
                   actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime]) -> Stream:
        """Exactly what the list shows, as CSV (``bom=on`` for Excel), every page of it."""
        return export_response(request.app.state.db, query_filter(request), actor, today_for(user.time_zone, now),
                               request.app.state.settings.base_url, "csv", request.query_params.get("bom") == "on")

    @get("/export.json", sync_to_thread=False)
    def export_json(self, request: Request[Any, Any, Any],
                    actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime]) -> Stream:
        """Exactly what the list shows, as JSON."""
        return export_response(request.app.state.db, query_filter(request), actor, today_for(user.time_zone, now),
                               request.app.state.settings.base_url, "json", False)

    @post("/bulk", sync_to_thread=True)
    def bulk(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], user: NamedDependency[User],
             now: NamedDependency[datetime], data: FormData) -> Template | Redirect:
        """Complete or reassign the chosen action items together (all or none)."""
        raw = data.get("ids", [])
        ids = [int(i) for i in (raw if isinstance(raw, list) else [raw]) if str(i).isdigit()]
        back = field(data, "back") or ""
        try:
            if not ids:
                raise ValidationError({"ids": "Choose at least one action item."})
            for action_id in ids:
                if field(data, "action") == "complete":
                    changes.set_action_status(db_session, actor, action_id, "done", now)
                elif field(data, "action") == "reassign":
                    changes.reassign_action_item(db_session, actor, action_id, field(data, "assignee_id"), now)
                else:
                    raise ValidationError({"action": "Choose complete or reassign."})
        except ValidationError as exc:
            db_session.rollback()
            return _page(db_session, actor, user, now, ActionItemFilter.from_mapping(
                dict(pair.split("=", 1) for pair in back.split("&") if "=" in pair)), 1, exc.errors)
        return Redirect(f"/action-items?{back}", status_code=303)

    @post("/{action_id:int}/status", sync_to_thread=True)
    def set_status(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   user: NamedDependency[User], now: NamedDependency[datetime], action_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        """Complete, cancel or reopen one."""
        try:
            changes.set_action_status(db_session, actor, action_id, field(data, "status"), now)
        except ValidationError as exc:
            return _page(db_session, actor, user, now, ActionItemFilter(), 1, exc.errors)
        return Redirect(f"/action-items?{field(data, 'back')}", status_code=303)

    @post("/{action_id:int}/reassign", sync_to_thread=True)
    def reassign(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 user: NamedDependency[User], now: NamedDependency[datetime], action_id: FromPath[int],
                 data: FormData) -> Template | Redirect:
        """Give one to someone else from its meeting or team."""
        try:
            changes.reassign_action_item(db_session, actor, action_id, field(data, "assignee_id"), now)
        except ValidationError as exc:
            db_session.rollback()
            return _page(db_session, actor, user, now, ActionItemFilter(), 1, exc.errors)
        return Redirect(f"/action-items?{field(data, 'back')}", status_code=303)
