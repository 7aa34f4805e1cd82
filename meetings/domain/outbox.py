"""The outbox: messages owed to people, written in the same transaction as the change behind them.

Each message has a unique idempotency key, so the same reminder or invitation is never queued twice.
Delivery (``integrations/email_delivery.py``) picks pending messages up later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
    calendar: CalendarPart | None = None,
) -> OutboxMessage | None:
    """Queue an email under ``key``; returns None when a message with that key already exists.
    With ``calendar``, the email carries that iCalendar document (an invitation)."""
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
        return None
    content = composer.compose(template, context)
    message = OutboxMessage(
        idempotency_key=key,
        channel="email",
        kind=kind,
        user_id=user_id,
        recipient=recipient,
        subject=content.subject,
        payload=json.dumps({"text": content.text, "html": content.html, **(
            {"calendar": {"method": calendar.method, "ics": calendar.ics}} if calendar else {})}),
        message_id=make_msgid(domain=composer.message_id_domain),
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():  # another process may have queued the same key meanwhile
            session.add(message)
    except IntegrityError:
        return None
    return message
