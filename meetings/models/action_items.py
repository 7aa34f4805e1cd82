"""Action items: who does what by when, and where it came from."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.accounts import User
from meetings.models.agenda import AgendaItem
from meetings.models.base import Base, UTCDateTime, str_enum, utcnow_default
from meetings.models.schedule import Meeting


class ActionItemStatus(enum.StrEnum):
    """Open until done or cancelled."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionItem(Base):
    """A task from a meeting. ``due_date`` is a calendar day in the assignee's time zone."""

    __tablename__ = "action_items"
    __table_args__ = (
        # "My open action items by due date" and the due/overdue reminder scan.
        Index("ix_action_items_assignee_status_due", "assignee_id", "status", "due_date"),
        Index("ix_action_items_status_due", "status", "due_date"),
        Index("ix_action_items_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionItemStatus] = mapped_column(str_enum(ActionItemStatus), default=ActionItemStatus.OPEN)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    overdue_reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default, onupdate=utcnow_default)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


