"""The outbox as admins see it: what failed, and sending it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetings.models import OutboxMessage, OutboxStatus


def outbox_messages(session: Session, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """Newest first, optionally of one status (pending, sending, sent, kept, failed)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    return list(session.scalars(query))


def retry_failed(session: Session, now: datetime, message_id: int | None = None) -> int:
    """Put failed messages (or one) back in the queue, due now; they keep their Message-ID."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if message_id is not None:
        query = query.where(OutboxMessage.id == message_id)
    return session.execute(query.values(status=OutboxStatus.PENDING, next_attempt_at=now, attempts=0)).rowcount
