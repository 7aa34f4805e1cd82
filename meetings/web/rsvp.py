"""Answering an invitation: from the signed link in the email (no sign-in) and on the meeting page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import rsvp
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.web.forms import FormData, field
from meetings.web.meeting_page import meeting_page, tell_live_pages


def _page(target: rsvp.RsvpTarget, token: str, chosen: str, errors: dict[str, str], saved: bool,
          status_code: int = 200) -> Template:
    return Template("rsvp/answer.html", status_code=status_code, context={
        "target": target, "token": token, "chosen": chosen, "errors": errors, "saved": saved,
        "answers": rsvp.ANSWER_LABELS})


class RsvpController(Controller):
    """/rsvp/{token}: the link's owner chooses; the choice is saved by the form, never by opening
    the link (mail systems open links to scan them)."""

    path = "/rsvp"
    include_in_schema = False

    @get("/{token:str}", name="rsvp", sync_to_thread=True)
    def show(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
             now: NamedDependency[datetime], token: FromPath[str],
             answer: Annotated[str, QueryParameter(name="answer")] = "") -> Template:
        """The meeting, the answer saved so far, and the choice (the one the email's button named
        is preselected)."""
        target = rsvp.link_target(db_session, request.app.state.invitations.links, token, now)
        chosen = answer if answer in rsvp.ANSWERS else target.response.value
        return _page(target, token, chosen, {}, saved=False)

    @post("/{token:str}", sync_to_thread=True)
    def answer(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
               now: NamedDependency[datetime], token: FromPath[str], data: FormData) -> Template:
        """Save the answer."""
        links = request.app.state.invitations.links
        try:
            target = rsvp.answer_by_link(db_session, links, token, field(data, "answer"), now)
        except ValidationError as exc:
            db_session.rollback()
            target = rsvp.link_target(db_session, links, token, now)
            return _page(target, token, field(data, "answer"), exc.errors, saved=False, status_code=400)
        return _page(target, token, target.response.value, {}, saved=True)


class MeetingRsvpController(Controller):
    """The answer form on the meeting page."""

    include_in_schema = False

    @post("/meetings/{meeting_id:int}/rsvp", sync_to_thread=True, after_response=tell_live_pages)
    def answer(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """An attendee answers for this meeting."""
        try:
            rsvp.answer_on_page(db_session, actor, meeting_id, field(data, "answer"), now)
        except ValidationError as exc:
            db_session.rollback()
            return meeting_page(db_session, actor, meeting_id, now, form="rsvp", errors=exc.errors,
                                values={"answer": field(data, "answer")}, status_code=400)
        return Redirect(f"/meetings/{meeting_id}#attendance", status_code=303)
