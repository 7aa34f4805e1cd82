"""The data model of the whole product. Importing this package registers every table."""

from meetings.models.accounts import (
    ApiToken,
    Invitation,
    PasswordReset,
    ReportingLine,
    SignInFailure,
    Team,
    TeamMembership,
    TeamRole,
    User,
    UserSession,
    Workspace,
)
from meetings.models.action_items import ActionItem, ActionItemStatus
from meetings.models.agenda import AgendaItem, AgendaItemState, AgendaSection, Decision, Note, NoteVisibility
from meetings.models.base import Base, UTCDateTime
from meetings.models.messaging import (
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Webhook,
)
from meetings.models.schedule import (
    AttendeeResponse,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    SeriesAttendee,
    Visibility,
)
from meetings.models.templates import AgendaTemplate

__all__ = [
    "ActionItem",
    "ActionItemStatus",
    "AgendaItem",
    "AgendaItemState",
    "AgendaSection",
    "AgendaTemplate",
    "ApiToken",
    "AttendeeResponse",
    "Base",
    "Decision",
    "Invitation",
    "Meeting",
    "MeetingAttendee",
    "MeetingSeries",
    "MeetingStatus",
    "Note",
    "NoteVisibility",
    "NotificationPreference",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordReset",
    "ReportingLine",
    "SeriesAttendee",
    "SignInFailure",
    "Team",
    "TeamMembership",
    "TeamRole",
    "UTCDateTime",
    "User",
    "UserSession",
    "Visibility",
    "Webhook",
    "Workspace",
]
