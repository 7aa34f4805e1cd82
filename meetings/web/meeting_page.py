"""The meeting page and everything done on it: agenda, notes, action items, decisions, running it.

Every action is a plain form post answered with a redirect back to the page (at the changed part);
a refused one shows the page again with the message beside the form and what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain import action_item_changes as actions
from meetings.domain import action_items as action_item_queries
from meetings.domain import agenda, attendee_changes, meeting_run
from meetings.domain import meetings as meeting_queries
from meetings.domain.access import Actor
from meetings.domain.agenda import eligible_people
from meetings.domain.calendar_feed import series_rows
from meetings.domain.errors import ConflictError, NotFoundError, ValidationError
from meetings.domain.notes import save_note
from meetings.integrations.calendar import meeting_calendar
from meetings.integrations.minutes import minutes_markdown
from meetings.models import ActionItem, User
from meetings.web.forms import FormData, field
from meetings.web.live_hub import LiveHub


def meeting_page(session: Session, actor: Actor, meeting_id: int, now: datetime, *, form: str = "",
                 errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                 conflict: ConflictError | None = None, status_code: int = 200) -> Template:
    """The meeting page, optionally showing one form's errors (``form`` names it) or a conflict."""
    detail = meeting_queries.meeting_detail(session, actor, meeting_id)
    items = [i for s in detail.sections for i in s.items] + detail.unsectioned_items
    people = sorted(session.scalars(select(User).where(User.id.in_(eligible_people(session, meeting_id)))),
                    key=lambda u: u.name.lower())
    overdue = {a.id for a in [*detail.action_items, *detail.earlier_action_items]
               if action_item_queries.is_overdue(a, now)}
    notes = {(n.agenda_item_id, n.visibility.value): n for n in detail.notes}
    return Template("meetings/detail.html", status_code=status_code, context={
        "detail": detail, "m": detail.meeting, "overdue_ids": overdue, "people": people, "items": items,
        "addable": attendee_changes.attendee_choices(session, detail.meeting),
        "notes": notes, "timer": meeting_run.timer(detail.meeting, items, now), "now": now,
        "form": form, "errors": errors or {}, "values": values or {}, "conflict": conflict, "actor": actor,
    })


def _values(data: dict[str, Any]) -> dict[str, str]:
    return {k: field(data, k) for k in data if k != "_csrf_token"}


async def tell_live_pages(request: Request[Any, Any, Any]) -> None:
    """After a form post has been answered (and so committed): the meeting's other open pages fetch
    the meeting part again, and merge a saved shared note into their live copy."""
    if request.method != "POST":
        return
    hub: LiveHub = request.app.state.live
    form = await request.form()
    # Series forms name the meeting page they came from in a field.
    meeting_text = str(request.path_params.get("meeting_id") or form.get("meeting_id") or "")
    if not meeting_text.isdigit():
        return
    meeting_id = int(meeting_text)
    if request.url.path.endswith("/notes"):
        item = str(form.get("agenda_item_id") or "")
        if form.get("private") != "on":
            await hub.note_saved(meeting_id, f"item:{item}" if item.isdigit() else "shared")
    await hub.changed(meeting_id, origin=request.headers.get("x-live-connection", "")[:64])


class MeetingPageController(Controller):
    """/meetings/{id}: the page and its forms."""

    path = "/meetings/{meeting_id:int}"
    include_in_schema = False
    after_response = tell_live_pages

    def _act(self, session: Session, actor: Actor, meeting_id: int, now: datetime, form: str, anchor: str,
             data: dict[str, Any], action: Callable[[], Any]) -> Template | Redirect:
        try:
            action()
        except ValidationError as exc:
            session.rollback()
            return meeting_page(session, actor, meeting_id, now, form=form, errors=exc.errors,
                                values=_values(data), status_code=400)
        except ConflictError as exc:
            session.rollback()
            return meeting_page(session, actor, meeting_id, now, form=form, values=_values(data), conflict=exc,
                                status_code=409)
        return Redirect(f"/meetings/{meeting_id}#{anchor}", status_code=303)

    @get("/", name="meeting", sync_to_thread=True)
    def meeting(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                now: NamedDependency[datetime], meeting_id: FromPath[int]) -> Template:
        """Header, agenda, notes, action items and decisions."""
        return meeting_page(db_session, actor, meeting_id, now)

    @get("/minutes.md", sync_to_thread=True)
    def minutes(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                meeting_id: FromPath[int]) -> Response[str]:
        """The minutes as Markdown (the page itself prints as clean minutes too)."""
        text = minutes_markdown(meeting_queries.meeting_detail(db_session, actor, meeting_id))
        return Response(text, media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="minutes-{meeting_id}.md"'})

    @get("/calendar.ics", sync_to_thread=True)
    def calendar(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                 actor: NamedDependency[Actor], now: NamedDependency[datetime],
                 meeting_id: FromPath[int]) -> Response[bytes]:
        """This meeting as an iCalendar file (a meeting of a series: the whole series)."""
        meeting = meeting_queries.meeting_detail(db_session, actor, meeting_id).meeting
        rows = series_rows(db_session, meeting.series_id) if meeting.series_id else None
        body = meeting_calendar(meeting, request.app.state.settings.base_url, now, rows)
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'})

    @post("/items", sync_to_thread=True)
    def add_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Add a topic."""
        section = field(data, "section_id")
        return self._act(db_session, actor, meeting_id, now, f"new-item-{section or 'none'}", "agenda-title", data,
                         lambda: agenda.add_item(
                             db_session, actor, meeting_id, section_id=int(section) if section.isdigit() else None,
                             title=field(data, "title"), talking_points=field(data, "talking_points"),
                             owner_id=field(data, "owner_id"), time_box_minutes=field(data, "time_box_minutes")))

    @post("/items/{item_id:int}", sync_to_thread=True)
    def update_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    now: NamedDependency[datetime], meeting_id: FromPath[int], item_id: FromPath[int],
                    data: FormData) -> Template | Redirect:
        """Edit a topic (refused if someone changed it meanwhile)."""
        version = field(data, "version")
        return self._act(db_session, actor, meeting_id, now, f"item-{item_id}", f"item-{item_id}", data,
                         lambda: agenda.update_item(
                             db_session, actor, meeting_id, item_id, version=int(version) if version.isdigit() else 0,
                             title=field(data, "title"), talking_points=field(data, "talking_points"),
                             owner_id=field(data, "owner_id"), time_box_minutes=field(data, "time_box_minutes")))

    @post("/items/{item_id:int}/state", sync_to_thread=True)
    def set_state(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                  now: NamedDependency[datetime], meeting_id: FromPath[int], item_id: FromPath[int],
                  data: FormData) -> Template | Redirect:
        """Mark a topic discussed, deferred or open."""
        return self._act(db_session, actor, meeting_id, now, f"item-{item_id}", f"item-{item_id}", data,
                         lambda: agenda.set_state(db_session, actor, meeting_id, item_id, field(data, "state")))

    @post("/items/{item_id:int}/move", sync_to_thread=True)
    def move_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                  now: NamedDependency[datetime], meeting_id: FromPath[int], item_id: FromPath[int],
                  data: FormData) -> Template | Redirect:
        """Move a topic one place up or down, or (dragging) to a place in a section."""
        direction, index, section = field(data, "direction"), field(data, "to_index"), field(data, "section_id")

        def move() -> None:
            if direction in {"up", "down"}:
                agenda.move_item_by(db_session, actor, meeting_id, item_id, -1 if direction == "up" else 1)
            elif index.lstrip("-").isdigit():
                agenda.move_item(db_session, actor, meeting_id, item_id, to_index=int(index),
                                 section_id=int(section) if section.isdigit() else None)
            else:
                raise ValidationError({"to_index": "Say where the topic goes."})

        return self._act(db_session, actor, meeting_id, now, f"item-{item_id}", f"item-{item_id}", data, move)

    @post("/items/{item_id:int}/delete", sync_to_thread=True)
    def delete_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    now: NamedDependency[datetime], meeting_id: FromPath[int], item_id: FromPath[int],
                    data: FormData) -> Template | Redirect:
        """Remove a topic."""
        return self._act(db_session, actor, meeting_id, now, f"item-{item_id}", "agenda-title", data,
                         lambda: agenda.delete_item(db_session, actor, meeting_id, item_id))

    @post("/sections", sync_to_thread=True)
    def add_section(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Add a section at the end of the agenda."""
        return self._act(db_session, actor, meeting_id, now, "new-section", "agenda-title", data,
                         lambda: agenda.add_section(db_session, actor, meeting_id, field(data, "section_title")))

    @post("/sections/{section_id:int}/delete", sync_to_thread=True)
    def delete_section(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                       now: NamedDependency[datetime], meeting_id: FromPath[int], section_id: FromPath[int],
                       data: FormData) -> Template | Redirect:
        """Remove a section; its topics stay."""
        return self._act(db_session, actor, meeting_id, now, "new-section", "agenda-title", data,
                         lambda: agenda.delete_section(db_session, actor, meeting_id, section_id))

    @post("/notes", sync_to_thread=True)
    def save_notes(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Save shared or private notes, of the meeting or of one topic."""
        item, private, version = field(data, "agenda_item_id"), field(data, "private") == "on", field(data, "version")
        key = f"notes-{item or 'meeting'}-{'private' if private else 'shared'}"
        return self._act(db_session, actor, meeting_id, now, key, key, data, lambda: save_note(
            db_session, actor, meeting_id, agenda_item_id=int(item) if item.isdigit() else None, private=private,
            body=field(data, "body"), base_version=int(version) if version.isdigit() else 0))

    @post("/action-items", sync_to_thread=True)
    def add_action_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                        now: NamedDependency[datetime], meeting_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        """Add an action item with an assignee and a due date."""
        return self._act(db_session, actor, meeting_id, now, "new-action", "actions-title", data,
                         lambda: actions.create_action_item(
                             db_session, actor, meeting_id, title=field(data, "title"),
                             description=field(data, "description"), assignee_id=field(data, "assignee_id"),
                             due_date=field(data, "due_date"), agenda_item_id=field(data, "agenda_item_id"), now=now))

    @post("/action-items/{action_id:int}", sync_to_thread=True)
    def update_action_item(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                           now: NamedDependency[datetime], meeting_id: FromPath[int], action_id: FromPath[int],
                           data: FormData) -> Template | Redirect:
        """Edit an action item, or complete, cancel or reopen it (``status``)."""
        version = field(data, "version")

        def change() -> ActionItem:
            self._own(db_session, meeting_id, action_id)
            if field(data, "status"):
                return actions.set_action_status(db_session, actor, action_id, field(data, "status"), now,
                                                 int(version) if version.isdigit() else None)
            return actions.update_action_item(
                db_session, actor, action_id, version=int(version) if version.isdigit() else None,
                title=field(data, "title"), description=field(data, "description"),
                assignee_id=field(data, "assignee_id"), due_date=field(data, "due_date"), now=now)

        return self._act(db_session, actor, meeting_id, now, f"action-{action_id}", f"action-{action_id}", data,
                         change)

    @staticmethod
    def _own(session: Session, meeting_id: int, action_id: int) -> None:
        action = session.get(ActionItem, action_id)
        if action is None or action.meeting_id != meeting_id:
            raise NotFoundError(f"action item {action_id}")

    @post("/decisions", sync_to_thread=True)
    def add_decision(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                     now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Record a decision."""
        return self._act(db_session, actor, meeting_id, now, "new-decision", "decisions-title", data,
                         lambda: actions.add_decision(db_session, actor, meeting_id, field(data, "decision"),
                                                      field(data, "agenda_item_id")))

    @post("/decisions/{decision_id:int}/delete", sync_to_thread=True)
    def delete_decision(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                        now: NamedDependency[datetime], meeting_id: FromPath[int], decision_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        """Remove a decision."""
        return self._act(db_session, actor, meeting_id, now, "new-decision", "decisions-title", data,
                         lambda: actions.delete_decision(db_session, actor, meeting_id, decision_id))

    @post("/start", sync_to_thread=True)
    def start(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
              now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Start the meeting: the first open topic becomes the current one, with its timer."""
        return self._act(db_session, actor, meeting_id, now, "run", "agenda-title", data,
                         lambda: meeting_run.start_meeting(db_session, actor, meeting_id, now))

    @post("/next", sync_to_thread=True)
    def next_topic(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Close the current topic (discussed, or deferred with ``mark=deferred``) and go to the next."""
        return self._act(db_session, actor, meeting_id, now, "run", "agenda-title", data,
                         lambda: meeting_run.next_topic(db_session, actor, meeting_id, now, field(data, "mark")))
