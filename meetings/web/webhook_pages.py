"""Team settings → Webhooks: team admins add, change and test webhooks and read their delivery log."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from anyio.to_thread import run_sync
from litestar import Controller, Litestar, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import webhooks as service
from meetings.domain.access import Actor
from meetings.domain.errors import ValidationError
from meetings.domain.teams import get_team
from meetings.domain.webhook_events import EVENTS
from meetings.integrations.webhook_delivery import deliver_webhooks
from meetings.web.forms import FormData, field, form_error

logger = logging.getLogger("meetings.webhooks")


async def _deliver(app: Litestar, now: datetime) -> None:
    state: Any = app.state
    try:
        await run_sync(deliver_webhooks, state.db, state.settings.base_url, now)
    except Exception:  # never let delivery trouble reach the visitor; the outbox keeps the event
        logger.exception("Delivering webhook events failed; they stay in the outbox for the next run")


def deliver_webhooks_soon(app: Litestar, now: datetime) -> BackgroundTask:
    """A task to run after the response is sent (and the request's transaction committed)."""
    return BackgroundTask(_deliver, app, now)


def _events(data: dict[str, Any]) -> list[str]:
    raw = data.get("events", [])
    return [str(e) for e in (raw if isinstance(raw, list) else [raw])]


def request_from_form(data: dict[str, Any]) -> service.WebhookRequest:
    """The webhook form's fields (events are checkboxes; an unticked "active" box is off)."""
    return service.WebhookRequest(name=field(data, "name"), url=field(data, "url"),
                                  payload_format=field(data, "payload_format") or "json", events=_events(data),
                                  is_active=bool(field(data, "is_active")))


class WebhookController(Controller):
    """/teams/{team_id}/webhooks: the team's managers and workspace admins only."""

    path = "/teams/{team_id:int}/webhooks"
    include_in_schema = False

    def _list(self, session: Session, actor: Actor, team_id: int, **extra: Any) -> dict[str, Any]:
        hooks = service.webhooks_of(session, actor, team_id)
        return {"team": get_team(session, actor, team_id), "webhooks": hooks, "all_events": EVENTS,
                "errors": {}, "values": {"payload_format": "json", "is_active": "on", "events": list(EVENTS)},
                **extra}

    def _detail(self, session: Session, actor: Actor, team_id: int, webhook_id: int, **extra: Any) -> dict[str, Any]:
        hook = service.get_webhook(session, actor, team_id, webhook_id)
        values = {"name": hook.name, "url": hook.url, "payload_format": hook.payload_format,
                  "events": hook.events.split(), "is_active": "on" if hook.is_active else ""}
        return {"team": get_team(session, actor, team_id), "webhook": hook, "all_events": EVENTS,
                "deliveries": service.deliveries_of(session, actor, team_id, webhook_id), "errors": {},
                "values": values, **extra}

    @get("/", name="team_webhooks", sync_to_thread=True)
    def webhooks(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                 team_id: FromPath[int]) -> Template:
        """The team's webhooks and a form to add one."""
        return Template("teams/webhooks.html", context=self._list(db_session, actor, team_id))

    @post("/", sync_to_thread=True)
    def create(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               now: NamedDependency[datetime], team_id: FromPath[int], data: FormData) -> Template:
        """Add a webhook; the answer shows its secret, the only time it is shown."""
        try:
            hook, secret = service.create_webhook(db_session, actor, team_id, request_from_form(data), now)
        except ValidationError as exc:
            page = form_error("teams/webhooks.html", self._list(db_session, actor, team_id), exc.errors, data)
            page.context["values"]["events"] = _events(data)  # checkboxes: every ticked one
            return page
        return Template("teams/webhook.html", context=self._detail(db_session, actor, team_id, hook.id,
                                                                   new_secret=secret), status_code=201)

    @get("/{webhook_id:int}", name="team_webhook", sync_to_thread=True)
    def webhook(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
                webhook_id: FromPath[int], done: FromQuery[str | None] = None) -> Template:
        """One webhook: its settings, a test button and its recent deliveries."""
        return Template("teams/webhook.html", context=self._detail(db_session, actor, team_id, webhook_id,
                                                                   done=done))

    @post("/{webhook_id:int}", sync_to_thread=True)
    def update(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
               webhook_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Change the webhook's name, URL, format, events or whether it is on."""
        try:
            service.update_webhook(db_session, actor, team_id, webhook_id, request_from_form(data))
        except ValidationError as exc:
            db_session.rollback()
            page = form_error("teams/webhook.html", self._detail(db_session, actor, team_id, webhook_id),
                              exc.errors, data)
            page.context["values"]["events"] = _events(data)  # checkboxes: every ticked one
            return page
        return Redirect(f"/teams/{team_id}/webhooks/{webhook_id}?done=saved", status_code=303)

    @post("/{webhook_id:int}/ping", sync_to_thread=True)
    def ping(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session],
             actor: NamedDependency[Actor], now: NamedDependency[datetime], team_id: FromPath[int],
             webhook_id: FromPath[int]) -> Redirect:
        """Send a test event now; the log shows how it went."""
        service.send_test_event(db_session, actor, team_id, webhook_id, now)
        return Redirect(f"/teams/{team_id}/webhooks/{webhook_id}?done=ping", status_code=303,
                        background=deliver_webhooks_soon(request.app, now))

    @post("/{webhook_id:int}/secret", sync_to_thread=True)
    def secret(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
               webhook_id: FromPath[int]) -> Template:
        """Replace the secret; the answer shows the new one, once."""
        _, secret = service.new_secret(db_session, actor, team_id, webhook_id)
        return Template("teams/webhook.html", context=self._detail(db_session, actor, team_id, webhook_id,
                                                                   new_secret=secret))

    @post("/{webhook_id:int}/delete", sync_to_thread=True)
    def delete(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor], team_id: FromPath[int],
               webhook_id: FromPath[int]) -> Redirect:
        """Remove the webhook and its delivery log."""
        service.delete_webhook(db_session, actor, team_id, webhook_id)
        return Redirect(f"/teams/{team_id}/webhooks", status_code=303)
