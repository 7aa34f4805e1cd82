"""The mailbox page: where emails wait when no SMTP server is configured."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.orm import Session

from meetings.domain import mailbox as mailbox_queries
from meetings.domain.access import Actor
from meetings.domain.errors import NotFoundError
from meetings.models import User

EMAIL_FRAME_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                      "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation")


class MailboxController(Controller):
    """/mailbox: one's own emails; admins see every email."""

    path = "/mailbox"
    include_in_schema = False

    @get("/", name="mailbox", sync_to_thread=True)
    def mailbox(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                user: NamedDependency[User]) -> Template:
        """The list of emails, newest first."""
        return Template("mailbox/list.html", context={
            "messages": mailbox_queries.mailbox(db_session, actor, user), "actor": actor})

    @get("/{message_id:int}", name="mailbox_message", sync_to_thread=True)
    def message(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                user: NamedDependency[User], message_id: FromPath[int]) -> Template:
        """One email: its HTML part in a sandboxed frame, and the text part."""
        return Template("mailbox/message.html", context={
            "entry": mailbox_queries.mailbox_entry(db_session, actor, user, message_id)})

    @get("/{message_id:int}/html", sync_to_thread=True)
    def html(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
             user: NamedDependency[User], message_id: FromPath[int]) -> Response[str]:
        """The HTML part alone, for the frame on the message page. Emails style themselves inline,
        so this answer (only) allows inline styles; scripts stay off and the frame is sandboxed."""
        entry = mailbox_queries.mailbox_entry(db_session, actor, user, message_id)
        return Response(entry.html, media_type=MediaType.HTML, headers={
            "Content-Security-Policy": EMAIL_FRAME_POLICY, "X-Frame-Options": "SAMEORIGIN"})

    @get("/{message_id:int}/invite.ics", sync_to_thread=True)
    def invitation(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   user: NamedDependency[User], message_id: FromPath[int]) -> Response[str]:
        """The calendar an invitation carries, as the attachment a mail client would offer."""
        entry = mailbox_queries.mailbox_entry(db_session, actor, user, message_id)
        if entry.calendar is None:
            raise NotFoundError(f"calendar of message {message_id}")
        return Response(entry.calendar, media_type=f"text/calendar; charset=utf-8; method={entry.calendar_method}",
                        headers={"Content-Disposition": 'attachment; filename="invite.ics"'})
