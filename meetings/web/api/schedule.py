"""/api/v1 for templates and scheduling: the same operations as the gallery and the new-meeting form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from meetings.domain import invitations, scheduling
from meetings.domain import meetings as meeting_queries
from meetings.domain import template_catalog as catalog
from meetings.domain.access import Actor
from meetings.domain.agenda_templates import AgendaTemplate
from meetings.domain.errors import ValidationError
from meetings.domain.recurrence import RecurrenceChoice
from meetings.models import User
from meetings.web.api.serializers import meeting_detail_json, meeting_json
from meetings.web.meeting_page import tell_live_pages


def template_json(template: AgendaTemplate, full: bool = False) -> dict[str, Any]:
    spec = template.spec
    body: dict[str, Any] = {"key": template.key, "name": spec.name, "purpose": spec.purpose, "audience": spec.audience,
                            "duration_minutes": spec.duration_minutes, "recurrence": spec.recurrence,
                            "builtin": template.builtin, "team_id": template.team_id}
    if full:
        body["source"] = template.source
        body["sections"] = [{"title": s.title, "prompt": s.prompt,
                             "items": [{"title": i.title, "minutes": i.minutes, "owner": i.owner, "points": i.points}
                                       for i in s.items]} for s in spec.sections]
        body["action_item_prompts"] = spec.action_item_prompts
    return body


def _recurrence(data: dict[str, Any]) -> RecurrenceChoice:
    repeat = data.get("repeat") or {}
    if not isinstance(repeat, dict):
        raise ValidationError({"repeat": "Must be an object."})
    try:
        until = date.fromisoformat(repeat["until"]) if repeat.get("until") else None
    except (TypeError, ValueError):
        raise ValidationError({"until": "Must be a date like 2026-06-30."}) from None
    interval, count, weekdays = repeat.get("interval", 1), repeat.get("count"), repeat.get("weekdays", [])
    if not isinstance(interval, int) or (count is not None and not isinstance(count, int)):
        raise ValidationError({"interval": "interval and count must be whole numbers."})
    if not isinstance(weekdays, list) or not all(isinstance(d, str) for d in weekdays):
        raise ValidationError({"weekdays": "Must be a list like [\"MO\", \"TH\"]."})
    return RecurrenceChoice(frequency=str(repeat.get("frequency", "none")), interval=interval,
                            weekdays=tuple(weekdays), ends=str(repeat.get("ends", "never")), until=until, count=count)


class TemplateApiController(Controller):
    """Agenda templates."""

    path = "/api/v1/templates"
    tags = ["templates"]

    @get("/", sync_to_thread=True)
    def list_templates(self, db_session: NamedDependency[Session],
                       actor: NamedDependency[Actor]) -> list[dict[str, Any]]:
        """Built-in templates and those of your teams."""
        builtins, by_team = catalog.gallery(db_session, actor)
        return [template_json(t) for t in builtins] + [template_json(t) for _, ts in by_team for t in ts]

    @get("/{key:str}", sync_to_thread=True)
    def get_template(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                     key: FromPath[str]) -> dict[str, Any]:
        """One template with its agenda and its TOML source."""
        return template_json(catalog.template_for(db_session, actor, key), full=True)


class MeetingApiController(Controller):
    """Meetings the token's owner may see."""

    path = "/api/v1/meetings"
    tags = ["meetings"]

    @get("/", sync_to_thread=True)
    def list_meetings(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                      now: NamedDependency[datetime], when: FromQuery[str] = "upcoming") -> list[dict[str, Any]]:
        """``when=upcoming`` (default) or ``when=past``."""
        if when not in {"upcoming", "past"}:
            raise ValidationError({"when": "Must be upcoming or past."})
        query = meeting_queries.upcoming_meetings if when == "upcoming" else meeting_queries.past_meetings
        return [meeting_json(m) for m in query(db_session, actor, now, limit=200)]

    @get("/{meeting_id:int}", sync_to_thread=True)
    def get_meeting(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    meeting_id: FromPath[int]) -> dict[str, Any]:
        """One meeting with agenda, notes, decisions and action items."""
        return meeting_detail_json(meeting_queries.meeting_detail(db_session, actor, meeting_id))

    @post("/", sync_to_thread=True, status_code=201)
    def create_meeting(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                       actor: NamedDependency[Actor], user: NamedDependency[User], now: NamedDependency[datetime],
                       data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Create a meeting or series: ``template``, ``title``, ``team_id``, ``date``, ``time``,
        ``time_zone``, ``duration_minutes``, ``attendee_ids``, ``visibility``, ``repeat``
        (``frequency``, ``interval``, ``weekdays``, ``ends``, ``until``, ``count``), ``sprint_start``."""
        key = data.get("template")
        template = catalog.template_for(db_session, actor, str(key)) if key else None
        attendees = data.get("attendee_ids", [])
        if not isinstance(attendees, list) or not all(isinstance(a, int) for a in attendees):
            raise ValidationError({"attendee_ids": "Must be a list of user ids."})
        team_id = data.get("team_id")
        meeting_request = scheduling.MeetingRequest(
            team_id=team_id if isinstance(team_id, int) else None, title=str(data.get("title", "")),
            template=template, date=str(data.get("date", "")), time=str(data.get("time", "")),
            time_zone=str(data.get("time_zone", user.time_zone)),
            duration_minutes=str(data.get("duration_minutes", "")), attendee_ids=attendees,
            visibility=str(data.get("visibility", "team")), recurrence=_recurrence(data),
            sprint_start=str(data.get("sprint_start", "1")), carry_over=bool(data.get("carry_over", True)),
        )
        meeting = scheduling.create_meeting(db_session, actor, user, meeting_request, now)
        invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
        return meeting_json(meeting)

    @post("/{meeting_id:int}/end", sync_to_thread=True, after_response=tell_live_pages)
    def end_meeting(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    now: NamedDependency[datetime], meeting_id: FromPath[int]) -> dict[str, Any]:
        """End a meeting; answers with the series' next occurrence, if any."""
        following = scheduling.end_meeting(db_session, actor, meeting_id, now)
        return {"next_meeting": meeting_json(following) if following else None}

    @post("/{meeting_id:int}/cancel", sync_to_thread=True, status_code=204, after_response=tell_live_pages)
    def cancel_meeting(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
                       actor: NamedDependency[Actor], now: NamedDependency[datetime],
                       meeting_id: FromPath[int]) -> None:
        """Cancel one meeting (one occurrence of a series)."""
        meeting = scheduling.cancel_occurrence(db_session, actor, meeting_id, now)
        invitations.meeting_invitations(db_session, request.app.state.invitations, meeting, now)
