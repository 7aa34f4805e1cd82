"""Meetings, recurring series and who attends them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.accounts import Team, User
from meetings.models.base import Base, UTCDateTime, str_enum, utcnow_default


class Visibility(enum.StrEnum):
    """Who may see a meeting."""

    TEAM = "team"  # every member of the meeting's team
    ATTENDEES = "attendees"  # the attendees only
    PRIVATE = "private"  # a private 1-on-1: the two people only


class MeetingStatus(enum.StrEnum):
    """Where a meeting is in its life."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    CANCELLED = "cancelled"


class AttendeeResponse(enum.StrEnum):
    """An attendee's answer to the invitation (iCalendar PARTSTAT)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class MeetingSeries(Base):
    """Recurring meetings sharing a template and attendees.

    ``rrule`` is an RFC 5545 recurrence rule evaluated from ``first_start_local`` (a wall-clock time,
    ISO 8601 without offset) in ``time_zone``, so 10:00 stays 10:00 across daylight-saving changes.
    """

    __tablename__ = "meeting_series"
    __table_args__ = (Index("ix_meeting_series_team", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template_key: Mapped[str | None] = mapped_column(String(120))
    rrule: Mapped[str] = mapped_column(String(500))
    first_start_local: Mapped[str] = mapped_column(String(19))
    time_zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.TEAM)
    carry_over: Mapped[bool] = mapped_column(Boolean, default=True)
    pre_meeting_reminder: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_lead_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    sprint_start: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # sprint of occurrence 1
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)

    team: Mapped[Team | None] = relationship()
    organizer: Mapped[User | None] = relationship()
    attendees: Mapped[list[SeriesAttendee]] = relationship(cascade="all, delete-orphan")
    meetings: Mapped[list[Meeting]] = relationship(back_populates="series")


class SeriesAttendee(Base):
    """A person invited to every occurrence of a series, with their answer for the whole series
    (new occurrences start with it)."""

    __tablename__ = "series_attendees"
    __table_args__ = (UniqueConstraint("series_id", "user_id"), Index("ix_series_attendees_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    response: Mapped[AttendeeResponse] = mapped_column(
        str_enum(AttendeeResponse), default=AttendeeResponse.NEEDS_ACTION, server_default="needs_action"
    )

    user: Mapped[User] = relationship()


class Meeting(Base):
    """One occurrence: a start (UTC), a duration, a time zone, attendees and a visibility.

    For an occurrence of a series, ``recurrence_start`` is its original start (iCalendar
    RECURRENCE-ID) even when this occurrence was moved; a cancelled occurrence keeps its row.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("series_id", "recurrence_start"),
        Index("ix_meetings_team_starts", "team_id", "starts_at"),
        Index("ix_meetings_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id", ondelete="SET NULL"))
    recurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurrence_number: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template_key: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    time_zone: Mapped[str] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.TEAM)
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus), default=MeetingStatus.SCHEDULED)
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL", use_alter=True)
    )
    current_item_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow_default, onupdate=utcnow_default)

    series: Mapped[MeetingSeries | None] = relationship(back_populates="meetings")
    team: Mapped[Team | None] = relationship()
    organizer: Mapped[User | None] = relationship()
    attendees: Mapped[list[MeetingAttendee]] = relationship(back_populates="meeting", cascade="all, delete-orphan")


class MeetingAttendee(Base):
    """A person attending one meeting, with their answer and recap opt-out."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"), Index("ix_meeting_attendees_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    response: Mapped[AttendeeResponse] = mapped_column(
        str_enum(AttendeeResponse), default=AttendeeResponse.NEEDS_ACTION
    )
    attended: Mapped[bool | None] = mapped_column(Boolean)
    recap_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()
