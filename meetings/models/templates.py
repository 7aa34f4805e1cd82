"""Custom agenda templates saved by teams (built-in ones are files in agenda_templates/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meetings.models.base import Base, UTCDateTime, utcnow_default


class AgendaTemplate(Base):
    """A team's template; ``source`` holds the template in the same TOML format as the built-ins."""

    __tablename__ = "agenda_templates"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default, onupdate=utcnow_default)
