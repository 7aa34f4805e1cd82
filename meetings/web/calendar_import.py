"""Importing a calendar file: the page (upload, then a summary) and the JSON API endpoint."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.response import Template
from sqlalchemy.orm import Session

from meetings.domain import calendar_import
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.teams import teams_of
from meetings.integrations.ical_import import CalendarFileError, parse_calendar
from meetings.models import User
from meetings.web.forms import field

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def run_import(session: Session, actor: Actor, user: User, data: bytes, team_text: str,
               now: datetime) -> calendar_import.ImportSummary:
    """Check the file, then import it; ValidationError (by field) when nothing could be imported."""
    if not data.strip():
        raise ValidationError({"file": "Choose an .ics file to import."})
    if len(data) > calendar_import.MAX_FILE_BYTES:
        raise ValidationError({"file": "The file is larger than 2 MB: export a shorter period."})
    if team_text and not team_text.isdigit():
        raise ValidationError({"team_id": "Choose one of your teams."})
    try:
        parsed = parse_calendar(data, user.time_zone)
    except CalendarFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    return calendar_import.import_events(session, actor, user, parsed, int(team_text) if team_text else None, now)


class CalendarImportController(Controller):
    """/meetings/import: upload a Google Calendar or Outlook export."""

    path = "/meetings/import"
    include_in_schema = False

    def _page(self, session: Session, actor: Actor, **context: Any) -> Template:
        status = context.pop("status_code", 200)
        return Template("meetings/import.html", status_code=status, context={
            "teams": teams_of(session, actor, member_only=True), "errors": {}, "values": {}, "summary": None,
            **context})

    @get("/", name="calendar_import", sync_to_thread=True)
    def form(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor]) -> Template:
        """The upload form."""
        return self._page(db_session, actor)

    @post("/", sync_to_thread=True)
    def upload(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               user: NamedDependency[User], now: NamedDependency[datetime], data: MultipartData) -> Template:
        """Import the file; the page shows what was created and what was skipped, and why."""
        upload = data.get("file")
        content = upload.file.read(calendar_import.MAX_FILE_BYTES + 1) if isinstance(upload, UploadFile) else b""
        team_text = field(data, "team_id")
        try:
            summary = run_import(db_session, actor, user, content, team_text, now)
        except ValidationError as exc:
            db_session.rollback()
            return self._page(db_session, actor, errors=exc.errors, values={"team_id": team_text}, status_code=400)
        return self._page(db_session, actor, summary=summary, values={"team_id": team_text})


class CalendarImportApiController(Controller):
    """POST /api/v1/meetings/import: ``{"ics": "<the file's text>", "team_id": 1}``."""

    path = "/api/v1/meetings/import"
    tags = ["meetings"]

    @post("/", sync_to_thread=True, status_code=200)
    def import_calendar(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                        user: NamedDependency[User], now: NamedDependency[datetime],
                        data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Create meetings and series from an iCalendar text; answers with what was created and what
        was skipped, and why. A file that can't be read imports nothing (422)."""
        ics, team_id = data.get("ics"), data.get("team_id")
        if not isinstance(ics, str):
            raise ValidationError({"ics": "Must be the text of an .ics file."})
        if team_id is not None and not isinstance(team_id, int):
            raise ValidationError({"team_id": "Must be a team id."})
        summary = run_import(db_session, actor, user, ics.encode(), str(team_id or ""), now)
        return {"created": [{**asdict(item), "starts_at": item.starts_at.isoformat()} for item in summary.created],
                "skipped": [{"title": title, "reason": reason} for title, reason in summary.skipped]}
