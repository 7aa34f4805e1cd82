"""The in-app mailbox: emails kept or sent, as their recipients (and admins) may read them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.errors import NotFoundError
from meetings.models import OutboxMessage, User


@dataclass(frozen=True)
class MailboxEntry:
    """One email as the mailbox page shows it."""

    message: OutboxMessage
    text: str
    html: str
    calendar_method: str | None = None  # an invitation's METHOD (REQUEST, CANCEL)
    calendar: str | None = None  # and its iCalendar document


def _mine(actor: Actor, email: str):  # type: ignore[no-untyped-def]
    if actor.is_admin:
        return OutboxMessage.channel == "email"
    return (OutboxMessage.channel == "email") & or_(
        OutboxMessage.user_id == actor.user_id, OutboxMessage.recipient == email
    )


def mailbox(session: Session, actor: Actor, user: User, limit: int = 200) -> list[OutboxMessage]:
    """Newest first: every email for admins, one's own for everyone else."""
    query = select(OutboxMessage).where(_mine(actor, user.email)).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(session.scalars(query))


def mailbox_entry(session: Session, actor: Actor, user: User, message_id: int) -> MailboxEntry:
    """One email with its bodies; NotFoundError when it is someone else's."""
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id, _mine(actor, user.email)))
    if row is None:
        raise NotFoundError(f"message {message_id}")
    bodies = json.loads(row.payload)
    calendar = bodies.get("calendar") or {}
    return MailboxEntry(row, bodies.get("text", ""), bodies.get("html", ""), calendar.get("method"),
                        calendar.get("ics"))
