"""Outgoing messages: the outbox, notification preferences and team webhooks."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from meetings.models.base import Base, UTCDateTime, str_enum, utcnow_default


class OutboxStatus(enum.StrEnum):
    """Delivery state of one outbox message."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one process
    SENT = "sent"
    KEPT = "kept"  # no SMTP server configured: kept in the in-app mailbox
    FAILED = "failed"  # permanent failure, shown to admins


class OutboxMessage(Base):
    """A message owed to someone, written in the same transaction as the change that caused it.

    ``idempotency_key`` is unique, so the same reminder can never be queued twice; ``message_id``
    is fixed at creation so that retries carry the same Message-ID.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_messages_user", "user_id"),
        Index("ix_outbox_messages_webhook", "webhook_id", "ordering_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")  # email | webhook
    kind: Mapped[str] = mapped_column(String(40))  # e.g. action_item_due, recap, invitation
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(1000))
    subject: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[str] = mapped_column(Text)  # JSON: bodies, headers or the webhook body
    message_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Webhook deliveries only: the webhook they go to (its delivery log), and what they are about
    # ("meeting:12", "action_item:7"): a later event about the same thing waits for earlier ones.
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    ordering_key: Mapped[str | None] = mapped_column(String(120))


class NotificationPreference(Base):
    """One user's reminder choices; a missing row means the defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pre_meeting: Mapped[bool] = mapped_column(Boolean, default=True)
    action_item_due: Mapped[bool] = mapped_column(Boolean, default=True)
    action_item_overdue: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=True)
    recap: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    unsubscribed_all: Mapped[bool] = mapped_column(Boolean, default=False)


class Webhook(Base):
    """A team's outgoing webhook; deliveries go through the outbox with ``channel='webhook'``."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_team", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    url: Mapped[str] = mapped_column(String(1000))
    # Kept as it is, not hashed: signing needs the secret itself. Not encrypted with
    # MEETINGS_SECRET_KEY either: whoever reads this table can already read every meeting, and tying
    # the webhooks to that key would break them all silently when the key changes. It is shown once,
    # when it is made, and never again (pages and API answers leave it out).
    secret: Mapped[str] = mapped_column(String(128))
    payload_format: Mapped[str] = mapped_column(String(20), default="json")  # json | slack | teams
    events: Mapped[str] = mapped_column(Text)  # space-separated event names
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
