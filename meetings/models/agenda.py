"""The agenda of a meeting: sections, items, notes and decisions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.accounts import User
from meetings.models.base import Base, UTCDateTime, str_enum, utcnow_default


class AgendaItemState(enum.StrEnum):
    """Whether an agenda item was covered."""

    OPEN = "open"
    DISCUSSED = "discussed"
    DEFERRED = "deferred"  # left for, or carried over to, the next occurrence


class NoteVisibility(enum.StrEnum):
    """Shared notes are seen by everyone who sees the meeting; private ones by their author only."""

    SHARED = "shared"
    PRIVATE = "private"


class AgendaSection(Base):
    """An ordered group of agenda items, e.g. "Wins" or "Blockers", with an optional guiding prompt."""

    __tablename__ = "agenda_sections"
    __table_args__ = (Index("ix_agenda_sections_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    items: Mapped[list[AgendaItem]] = relationship(back_populates="section", order_by="AgendaItem.position")


class AgendaItem(Base):
    """A topic on the agenda, with talking points (Markdown), an owner, a time box and a state."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting_position", "meeting_id", "section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_sections.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    talking_points: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_role: Mapped[str | None] = mapped_column(String(40))
    time_box_minutes: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[AgendaItemState] = mapped_column(str_enum(AgendaItemState), default=AgendaItemState.OPEN)
    carried_over_from_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default, onupdate=utcnow_default)

    section: Mapped[AgendaSection | None] = relationship(back_populates="items")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    carried_over_from: Mapped[AgendaItem | None] = relationship(remote_side=[id])


class Note(Base):
    """Notes of a meeting or of one agenda item, shared or private to ``author_id``.

    ``scope`` makes each note unique within its meeting ("shared", "item:7", "private:3",
    "private:3:item:7"), since NULLs never collide in a unique constraint. ``crdt_state`` holds the
    collaborative document; ``body`` is its plain Markdown snapshot for exports, emails and search.
    """

    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("meeting_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    visibility: Mapped[NoteVisibility] = mapped_column(str_enum(NoteVisibility), default=NoteVisibility.SHARED)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    crdt_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default, onupdate=utcnow_default)


class Decision(Base):
    """A recorded outcome, of the meeting or of one agenda item."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_meeting", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
