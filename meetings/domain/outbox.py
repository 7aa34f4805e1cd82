"""The outbox: messages owed to people, written in the same transaction as the change behind them.

Each message has a unique idempotency key, so the same reminder or invitation is never queued twice.
Delivery (``integrations/email_delivery.py``) picks pending messages up later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from functools import cache
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from meetings.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class EmailContent:
    """A rendered email: subject, plain text and HTML bodies."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class CalendarPart:
    """An iCalendar document an email carries (iMIP): ``method`` is its METHOD (REQUEST, CANCEL)."""

    method: str
    ics: str


class EmailComposer(Protocol):
    """Renders an email template (``integrations/email_templates.py`` implements it)."""

    base_url: str  # the app's public URL, for links in emails

    def compose(self, template: str, context: dict[str, Any]) -> EmailContent: ...

    @property
    def message_id_domain(self) -> str: ...

    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        """A link that stops ``kind`` for the person without signing in (signed with the secret key)."""
        ...


def queue_email(
    session: Session,
    composer: EmailComposer,
    *,
    key: str,
    kind: str,
    recipient: str,
    user_id: int | None,
    template: str,
    context: dict[str, Any],
    now: datetime,
    send_at: datetime | None = None,
    headers: dict[str, str] | None = None,
    calendar: CalendarPart | None = None,
) -> int | None:
    """Queue an email under ``key``: the new message's id, or None when one with that key exists.

    ``send_at`` holds it back (quiet hours); ``headers`` are extra email headers (List-Unsubscribe);
    ``calendar`` is the iCalendar document the email carries (an invitation).
    """
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
        return None
    content = composer.compose(template, context)
    values = {
        "idempotency_key": key, "channel": "email", "kind": kind, "user_id": user_id, "recipient": recipient,
        "subject": content.subject,
        "payload": json.dumps({"text": content.text, "html": content.html, "headers": headers or {}, **(
            {"calendar": {"method": calendar.method, "ics": calendar.ics}} if calendar else {})}),
        "message_id": make_msgid(domain=composer.message_id_domain), "status": OutboxStatus.PENDING,
        "attempts": 0, "next_attempt_at": max(send_at or now, now), "created_at": now,
    }
    return insert_once(session, values)


def insert_once(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an outbox row (emails and webhook events alike): its id, or None when a row with its
    idempotency key exists. Another process may queue the same key meanwhile: the unique key
    decides, without a savepoint per message (a reminder scan queues thousands; SQLite and
    PostgreSQL both speak ON CONFLICT)."""
    return session.execute(_insert_once(session.get_bind().dialect.name), values).scalar()


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, built once per dialect so
    that its compiled form is cached (values are bound at execution)."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(OutboxMessage.__table__).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(OutboxMessage.__table__.c.id)
