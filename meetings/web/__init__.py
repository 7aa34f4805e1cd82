"""The web layer: controllers, forms and live handlers. Thin: each handler calls the domain."""

from meetings.web.accounts import AccountController
from meetings.web.action_item_pages import ActionItemController
from meetings.web.admin import AdminController, OutboxAdminController
from meetings.web.api.action_items import ActionItemApiController
from meetings.web.api.schedule import MeetingApiController, TemplateApiController
from meetings.web.api.v1 import MeController, TeamApiController, TokenApiController, UserApiController
from meetings.web.api.webhooks import WebhookApiController
from meetings.web.calendar import CalendarFeedController
from meetings.web.calendar_import import CalendarImportApiController, CalendarImportController
from meetings.web.health import healthz, readyz
from meetings.web.live import meeting_live
from meetings.web.mailbox import MailboxController
from meetings.web.meeting_forms import MeetingFormController
from meetings.web.meeting_page import MeetingPageController
from meetings.web.notification_pages import NotificationSettingsController, UnsubscribeController
from meetings.web.pages import PageController
from meetings.web.rsvp import MeetingRsvpController, RsvpController
from meetings.web.settings_pages import SettingsController
from meetings.web.teams import TeamController
from meetings.web.template_pages import TemplateController
from meetings.web.webhook_pages import WebhookController

ROUTE_HANDLERS = [
    healthz,
    readyz,
    PageController,
    MeetingFormController,
    MeetingPageController,
    meeting_live,
    MeetingRsvpController,
    RsvpController,
    CalendarImportController,
    CalendarImportApiController,
    ActionItemController,
    CalendarFeedController,
    TemplateController,
    AccountController,
    SettingsController,
    NotificationSettingsController,
    UnsubscribeController,
    TeamController,
    WebhookController,
    AdminController,
    OutboxAdminController,
    MailboxController,
    MeController,
    TokenApiController,
    MeetingApiController,
    TeamApiController,
    WebhookApiController,
    UserApiController,
    TemplateApiController,
    ActionItemApiController,
]

__all__ = ["ROUTE_HANDLERS"]
