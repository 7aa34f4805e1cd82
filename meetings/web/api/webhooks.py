"""/api/v1/teams/{team_id}/webhooks: a team's webhooks and their deliveries (team admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.orm import Session

from meetings.domain import webhooks as service
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.models import OutboxMessage, Webhook
from meetings.web.webhook_pages import deliver_webhooks_soon


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    """A webhook as the API shows it: never its secret."""
    return {"id": webhook.id, "team_id": webhook.team_id, "name": webhook.name, "url": webhook.url,
            "payload_format": webhook.payload_format, "events": webhook.events.split(),
            "is_active": webhook.is_active, "created_at": _iso(webhook.created_at)}


def delivery_json(row: OutboxMessage) -> dict[str, Any]:
    """One entry of the delivery log."""
    return {"id": row.id, "event": row.kind, "event_id": row.message_id, "about": row.subject,
            "status": row.status.value, "attempts": row.attempts, "last_error": row.last_error,
            "created_at": _iso(row.created_at), "sent_at": _iso(row.sent_at),
            "next_attempt_at": _iso(row.next_attempt_at) if row.status.value == "pending" else None}


def _request(data: dict[str, Any], current: Webhook | None = None) -> service.WebhookRequest:
    """The body's fields, each checked for its type; fields left out keep their value (or the default)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {"name": "", "url": "", "payload_format": "json", "events": None, "is_active": True}
    if current is not None:
        defaults = {"name": current.name, "url": current.url, "payload_format": current.payload_format,
                    "events": current.events.split(), "is_active": current.is_active}
    for name, default in defaults.items():
        value = data.get(name, default)
        if name == "events":
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                errors[name] = "Must be a list of event names."
        elif name == "is_active":
            if not isinstance(value, bool):
                errors[name] = "Must be true or false."
        elif not isinstance(value, str):
            errors[name] = "Must be a string."
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return service.WebhookRequest(**values)


class WebhookApiController(Controller):
    """Webhooks of a team; ``secret`` appears in the answers that make one, and nowhere else."""

    path = "/api/v1/teams/{team_id:int}/webhooks"
    tags = ["webhooks"]

    @get("/", sync_to_thread=True)
    def list_webhooks(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                      team_id: FromPath[int]) -> list[dict[str, Any]]:
        """The team's webhooks."""
        return [webhook_json(w) for w in service.webhooks_of(db_session, actor, team_id)]

    @post("/", sync_to_thread=True, status_code=201)
    def create_webhook(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                       now: NamedDependency[datetime], team_id: FromPath[int],
                       data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Add a webhook (``events`` left out: every event); the answer holds its secret, once."""
        service.webhooks_of(db_session, actor, team_id)  # 404/403 before any 422
        webhook, secret = service.create_webhook(db_session, actor, team_id, _request(data), now)
        return {**webhook_json(webhook), "secret": secret}

    @get("/{webhook_id:int}", sync_to_thread=True)
    def get_webhook(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    team_id: FromPath[int], webhook_id: FromPath[int]) -> dict[str, Any]:
        """One webhook."""
        return webhook_json(service.get_webhook(db_session, actor, team_id, webhook_id))

    @patch("/{webhook_id:int}", sync_to_thread=True)
    def update_webhook(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                       team_id: FromPath[int], webhook_id: FromPath[int],
                       data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """Change ``name``, ``url``, ``payload_format``, ``events`` or ``is_active`` (others stay)."""
        current = service.get_webhook(db_session, actor, team_id, webhook_id)
        return webhook_json(service.update_webhook(db_session, actor, team_id, webhook_id, _request(data, current)))

    @delete("/{webhook_id:int}", sync_to_thread=True)
    def delete_webhook(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                       team_id: FromPath[int], webhook_id: FromPath[int]) -> None:
        """Remove the webhook with its delivery log."""
        service.delete_webhook(db_session, actor, team_id, webhook_id)

    @post("/{webhook_id:int}/secret", sync_to_thread=True, status_code=200)
    def new_secret(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   team_id: FromPath[int], webhook_id: FromPath[int]) -> dict[str, Any]:
        """Replace the secret; the answer holds the new one, once."""
        webhook, secret = service.new_secret(db_session, actor, team_id, webhook_id)
        return {**webhook_json(webhook), "secret": secret}

    @get("/{webhook_id:int}/deliveries", sync_to_thread=True)
    def deliveries(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                   team_id: FromPath[int], webhook_id: FromPath[int]) -> list[dict[str, Any]]:
        """The 50 latest deliveries, newest first."""
        return [delivery_json(d) for d in service.deliveries_of(db_session, actor, team_id, webhook_id)]

    @post("/{webhook_id:int}/ping", sync_to_thread=True, status_code=202)
    def ping(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
             actor: NamedDependency[Actor], now: NamedDependency[datetime], team_id: FromPath[int],
             webhook_id: FromPath[int]) -> Response[dict[str, Any]]:
        """Queue a test event and deliver it right after answering; the answer is its log entry."""
        row = service.send_test_event(db_session, actor, team_id, webhook_id, now)
        db_session.flush()
        return Response(delivery_json(row), status_code=202, background=deliver_webhooks_soon(request.app, now))
