"""Creating meetings and series, and changing them: end, cancel, move one, change the series."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Litestar, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import attendee_changes, invitations, scheduling, series_changes
from meetings.domain import template_catalog as catalog
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.recurrence import WEEKDAYS, RecurrenceChoice
from meetings.domain.teams import teams_of
from meetings.domain.users import time_zone_names
from meetings.models import User
from meetings.web.forms import FormData, field, values_of
from meetings.web.mail import deliver_soon
from meetings.web.meeting_page import meeting_page, tell_live_pages


def recurrence_from(data: dict[str, Any]) -> RecurrenceChoice:
    """The repeat fields of a form; unparsable numbers and dates become field errors."""
    errors: dict[str, str] = {}
    interval_text = field(data, "interval").strip() or "1"
    count_text = field(data, "count").strip()
    until_text = field(data, "until").strip()
    ends = field(data, "ends") or "never"
    interval = int(interval_text) if interval_text.isdigit() else 0
    if not interval_text.isdigit():
        errors["interval"] = "Enter a whole number."
    count = int(count_text) if count_text.isdigit() else None
    if ends == "after" and count is None:
        errors["count"] = "Enter a number of meetings."
    until = None
    if ends == "on":
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            errors["until"] = "Enter a date like 2026-06-30."
    if errors:
        raise ValidationError(errors)
    return RecurrenceChoice(frequency=field(data, "frequency") or "none", interval=interval,
                            weekdays=tuple(values_of(data, "weekdays")), ends=ends, until=until, count=count)


class MeetingFormController(Controller):
    """New meetings from templates, and the buttons on a meeting page that change its schedule."""

    include_in_schema = False

    def _context(self, session: Session, actor: Actor, user: User, template_key: str | None) -> dict[str, Any]:
        builtins, by_team = catalog.gallery(session, actor)
        teams = teams_of(session, actor, member_only=True)
        return {"builtins": builtins, "by_team": by_team, "teams": teams, "zones": sorted(time_zone_names()),
                "weekdays": WEEKDAYS, "user": user, "errors": {},
                "values": {"template": template_key or "", "time_zone": user.time_zone, "frequency": "none",
                           "ends": "never", "interval": "1", "visibility": "team", "sprint_start": "1",
                           "team_id": str(teams[0].id) if teams else "", "time": "10:00"}}

    @get("/meetings/new", name="new_meeting", sync_to_thread=True)
    def new(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], user: NamedDependency[User],
            now: NamedDependency[datetime],
            template: Annotated[str | None, QueryParameter(name="template")] = None) -> Template:
        """Choose a template, the people, the date, time, time zone and how it repeats."""
        context = self._context(db_session, actor, user, template)
        tomorrow = now.astimezone(ZoneInfo(user.time_zone)).date() + timedelta(days=1)
        context["values"]["date"] = tomorrow.isoformat()
        return Template("meetings/new.html", context=context)

    @post("/meetings/new", sync_to_thread=True)
    def create(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime],
               data: FormData) -> Template | Redirect:
        """Create the meeting (or series), invite its attendees and open it."""
        try:
            key = field(data, "template")
            template = catalog.template_for(db_session, actor, key) if key else None
            team_text = field(data, "team_id")
            meeting_request = scheduling.MeetingRequest(
                team_id=int(team_text) if team_text.isdigit() else None, title=field(data, "title"),
                template=template, date=field(data, "date"), time=field(data, "time"),
                time_zone=field(data, "time_zone"), duration_minutes=field(data, "duration_minutes"),
                attendee_ids=[int(v) for v in values_of(data, "attendee_ids") if v.isdigit()],
                visibility=field(data, "visibility"), recurrence=recurrence_from(data),
                sprint_start=field(data, "sprint_start"), carry_over=field(data, "carry_over") == "on",
            )
            meeting = scheduling.create_meeting(db_session, actor, user, meeting_request, now)
            invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
        except ValidationError as exc:
            db_session.rollback()
            context = self._context(db_session, actor, user, None)
            context["values"] = {k: (values_of(data, k) if k in {"attendee_ids", "weekdays"} else field(data, k))
                                 for k in data if k != "_csrf_token"}
            context["errors"] = exc.errors
            return Template("meetings/new.html", context=context, status_code=400)
        return Redirect(f"/meetings/{meeting.id}", status_code=303, background=deliver_soon(request.app, now))

    def _schedule(self, session: Session, actor: Actor, now: datetime, meeting_id: int, form: str,
                  data: dict[str, Any], change: Callable[[], str], app: Litestar | None = None) -> Template | Redirect:
        """Run a schedule change; refused ones show the meeting page with the messages by the form.
        With ``app``, the emails the change queued (invitations) go out right after the answer."""
        try:
            target = change()
        except ValidationError as exc:
            session.rollback()
            values = {k: field(data, k) for k in data if k != "_csrf_token"}
            return meeting_page(session, actor, meeting_id, now, form=form, errors=exc.errors, values=values,
                                status_code=400)
        return Redirect(target, status_code=303, background=deliver_soon(app, now) if app else None)

    @post("/meetings/{meeting_id:int}/end", sync_to_thread=True, after_response=tell_live_pages)
    def end(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
            now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """End the meeting; for a series, open the next occurrence (with what carried over)."""
        def change() -> str:
            following = scheduling.end_meeting(db_session, actor, meeting_id, now)
            return f"/meetings/{following.id if following else meeting_id}"

        return self._schedule(db_session, actor, now, meeting_id, "schedule", data, change)

    @post("/meetings/{meeting_id:int}/cancel", sync_to_thread=True, after_response=tell_live_pages)
    def cancel(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               actor: NamedDependency[Actor], now: NamedDependency[datetime], meeting_id: FromPath[int],
               data: FormData) -> Template | Redirect:
        """Cancel this meeting only, and tell its attendees."""
        def change() -> str:
            meeting = scheduling.cancel_occurrence(db_session, actor, meeting_id, now)
            invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
            return f"/meetings/{meeting_id}"

        return self._schedule(db_session, actor, now, meeting_id, "schedule", data, change, request.app)

    @post("/meetings/{meeting_id:int}/reschedule", sync_to_thread=True, after_response=tell_live_pages)
    def reschedule(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                   actor: NamedDependency[Actor], now: NamedDependency[datetime], meeting_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        """Move this meeting only, and send its attendees the changed invitation."""
        def change() -> str:
            meeting = scheduling.reschedule_occurrence(
                db_session, actor, meeting_id, date_text=field(data, "date"), time_text=field(data, "time"),
                duration_text=field(data, "duration_minutes"), now=now)
            invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
            return f"/meetings/{meeting_id}"

        return self._schedule(db_session, actor, now, meeting_id, "reschedule", data, change, request.app)

    @post("/meetings/{meeting_id:int}/attendees", sync_to_thread=True, after_response=tell_live_pages)
    def add_attendee(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                     actor: NamedDependency[Actor], now: NamedDependency[datetime], meeting_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        """Add someone (to the series too, for a meeting of a series) and send them the invitation."""
        def change() -> str:
            meeting, _ = attendee_changes.add_attendee(db_session, actor, meeting_id, field(data, "user_id"), now)
            invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
            return f"/meetings/{meeting_id}#attendance"

        return self._schedule(db_session, actor, now, meeting_id, "attendees", data, change, request.app)

    @post("/meetings/{meeting_id:int}/attendees/{user_id:int}/remove", sync_to_thread=True,
          after_response=tell_live_pages)
    def remove_attendee(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                        actor: NamedDependency[Actor], now: NamedDependency[datetime], meeting_id: FromPath[int],
                        user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Take someone off (the series too, from this meeting on) and send them a cancellation."""
        def change() -> str:
            meeting, user = attendee_changes.remove_attendee(db_session, actor, meeting_id, user_id, now)
            invitations.uninvited(db_session, request.app.state.invitations, meeting, user, now)
            return f"/meetings/{meeting_id}#attendance"

        return self._schedule(db_session, actor, now, meeting_id, "attendees", data, change, request.app)

    @post("/series/{series_id:int}/change", sync_to_thread=True, after_response=tell_live_pages)
    def change_series(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                      actor: NamedDependency[Actor], now: NamedDependency[datetime], series_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        """Change the series from a date on (or end it there), and send the changed invitations."""
        meeting_text = field(data, "meeting_id")

        def change() -> str:
            continuing = series_changes.change_series_from(
                db_session, actor, series_id, from_date=field(data, "from_date"), time_text=field(data, "time"),
                duration_text=field(data, "duration_minutes"), recurrence=recurrence_from(data), now=now)
            invitations.series_changed(db_session, request.app.state.invitations, series_id, continuing, now)
            following = scheduling.next_meeting_of(db_session, continuing.id, now) if continuing else None
            return f"/meetings/{following.id}" if following else "/meetings"

        if not meeting_text.isdigit():  # a post without the page it came from: answer plainly
            change()
            return Redirect("/meetings", status_code=303, background=deliver_soon(request.app, now))
        return self._schedule(db_session, actor, now, int(meeting_text), "series", data, change, request.app)

    @post("/series/{series_id:int}/reminders", sync_to_thread=True, after_response=tell_live_pages)
    def series_reminders(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                         now: NamedDependency[datetime], series_id: FromPath[int],
                         data: FormData) -> Template | Redirect:
        """The series' pre-meeting reminder: on or off, and its lead time."""
        meeting_text = field(data, "meeting_id")

        def change() -> str:
            series_changes.set_series_reminders(db_session, actor, series_id,
                                                enabled=field(data, "pre_meeting_reminder") == "on",
                                                lead_hours=field(data, "lead_hours"))
            return f"/meetings/{meeting_text}#series-reminders"

        if not meeting_text.isdigit():
            change()
            return Redirect("/meetings", status_code=303)
        return self._schedule(db_session, actor, now, int(meeting_text), "reminders", data, change)
