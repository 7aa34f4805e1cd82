"""Managing a team's webhooks: only the team's managers and workspace admins (``Actor.manages_team``).

A webhook's secret is made here and returned once, to be shown once; nothing reads it back out.
URLs must be http or https with a host. Private and loopback addresses are allowed on purpose: a
self-hosted workspace usually posts to tools on its own network (a chat server, an intranet
automation). Only team admins can add a webhook, redirects are never followed, and a receiver's
answer is never shown, only its status code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.domain.webhook_events import EVENTS, ping
from meetings.models import OutboxMessage, Team, Webhook

FORMATS = ("json", "slack", "teams")
MAX_URL = 1000
MAX_NAME = 120
SECRET_PREFIX = "whsec_"


@dataclass
class WebhookRequest:
    """The webhook form (or API body) as typed."""

    name: str = ""
    url: str = ""
    payload_format: str = "json"
    events: list[str] | None = None  # None: every event
    is_active: bool = True


def _require_admin(session: Session, actor: Actor, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None or not (actor.is_admin or team_id in actor.team_ids):
        raise NotFoundError(f"team {team_id}")
    if not actor.manages_team(team_id):
        raise ForbiddenError("Only the team's managers and workspace admins manage its webhooks.")
    return team


def check_url(url: str) -> str | None:
    """The problem with a webhook URL, or None when it can be used."""
    if not url:
        return "Enter the URL to post to."
    if len(url) > MAX_URL:
        return f"Use at most {MAX_URL} characters."
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "A URL has no spaces or line breaks."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return "Enter a URL like https://hooks.example.com/meetings."
    if parts.scheme not in ("http", "https"):
        return "Only http:// and https:// URLs can receive webhooks."
    if not parts.hostname:
        return "Enter a URL like https://hooks.example.com/meetings."
    try:
        parts.hostname.encode("idna")  # empty or over-long labels: no request could be made
    except UnicodeError:
        return "This host name is not valid."
    return None


def _clean(request: WebhookRequest) -> tuple[str, str, str, str]:
    errors: dict[str, str] = {}
    name = request.name.strip()
    if len(name) > MAX_NAME:
        errors["name"] = f"Use at most {MAX_NAME} characters."
    url = request.url.strip()
    if problem := check_url(url):
        errors["url"] = problem
    if request.payload_format not in FORMATS:
        errors["payload_format"] = "Choose JSON, Slack or Microsoft Teams."
    chosen = list(EVENTS) if request.events is None else request.events
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown:
        errors["events"] = f"Unknown event {unknown[0]!r}; choose from {', '.join(EVENTS)}."
    elif not chosen:
        errors["events"] = "Choose at least one event."
    if errors:
        raise ValidationError(errors)
    return name, url, request.payload_format, " ".join(e for e in EVENTS if e in chosen)


def webhooks_of(session: Session, actor: Actor, team_id: int) -> list[Webhook]:
    """The team's webhooks, oldest first."""
    _require_admin(session, actor, team_id)
    return list(session.scalars(select(Webhook).where(Webhook.team_id == team_id).order_by(Webhook.id)))


def get_webhook(session: Session, actor: Actor, team_id: int, webhook_id: int) -> Webhook:
    """One webhook of the team; NotFoundError for a webhook of another team."""
    _require_admin(session, actor, team_id)
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.team_id != team_id:
        raise NotFoundError(f"webhook {webhook_id}")
    return webhook


def create_webhook(session: Session, actor: Actor, team_id: int, request: WebhookRequest,
                   now: datetime) -> tuple[Webhook, str]:
    """A new webhook and its secret: the only time the secret is handed out."""
    _require_admin(session, actor, team_id)
    name, url, payload_format, events = _clean(request)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook(team_id=team_id, name=name, url=url, secret=secret, payload_format=payload_format,
                      events=events, is_active=request.is_active, created_by_id=actor.user_id, created_at=now)
    session.add(webhook)
    session.flush()
    return webhook, secret


def update_webhook(session: Session, actor: Actor, team_id: int, webhook_id: int,
                   request: WebhookRequest) -> Webhook:
    """Change name, URL, format, events or whether it is on (the secret stays)."""
    webhook = get_webhook(session, actor, team_id, webhook_id)
    webhook.name, webhook.url, webhook.payload_format, webhook.events = _clean(request)
    webhook.is_active = request.is_active
    return webhook


def new_secret(session: Session, actor: Actor, team_id: int, webhook_id: int) -> tuple[Webhook, str]:
    """Replace the secret (shown once, like the first); deliveries still waiting are signed with it."""
    webhook = get_webhook(session, actor, team_id, webhook_id)
    webhook.secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    return webhook, webhook.secret


def delete_webhook(session: Session, actor: Actor, team_id: int, webhook_id: int) -> None:
    """Remove the webhook with its delivery log and whatever it still had to deliver."""
    session.delete(get_webhook(session, actor, team_id, webhook_id))


def deliveries_of(session: Session, actor: Actor, team_id: int, webhook_id: int,
                  limit: int = 50) -> list[OutboxMessage]:
    """The webhook's recent deliveries, newest first: event, status, attempts, last error, times."""
    get_webhook(session, actor, team_id, webhook_id)
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.webhook_id == webhook_id)
                                .order_by(OutboxMessage.id.desc()).limit(limit)))


def send_test_event(session: Session, actor: Actor, team_id: int, webhook_id: int, now: datetime) -> OutboxMessage:
    """Queue a "ping" for the webhook, delivered like any event."""
    return ping(session, get_webhook(session, actor, team_id, webhook_id), now)
