"""Team webhook events: queued in the outbox in the same transaction as the change behind them.

``emit`` writes one outbox row per active webhook of the team that subscribes to the event, under
the idempotency key ``webhook:<webhook id>:<event key>``, so an event is never queued twice for one
webhook. Delivery (``integrations/webhook_delivery.py``) signs and posts them later.

What leaves the workspace: only meetings that belong to a team and are visible to the whole team
emit events (and so do their action items). Attendees-only meetings and private 1-on-1s never do:
a team channel would show their content to people who may not see them in the app.

Links in the stored event are paths ("/meetings/12"); delivery makes them absolute with
MEETINGS_BASE_URL, so the domain needs no URL.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.outbox import insert_once
from meetings.domain.recap import recap_context
from meetings.models import ActionItem, Meeting, OutboxMessage, OutboxStatus, Team, User, Visibility, Webhook

EVENTS = (
    "meeting.created",
    "meeting.updated",
    "meeting.ended",
    "action_item.created",
    "action_item.assigned",
    "action_item.completed",
    "action_item.overdue",
)
PING = "ping"  # the test event, sent to one webhook on request; needs no subscription


def _queue(session: Session, webhook: Webhook, *, event: str, event_id: str, body: dict[str, Any], key: str,
           ordering_key: str | None, summary: str, now: datetime) -> int | None:
    """The new outbox row's id, or None when this event is queued for this webhook already."""
    row_key = f"webhook:{webhook.id}:{key}"
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == row_key)) is not None:
        return None
    return insert_once(session, {
        "idempotency_key": row_key, "channel": "webhook", "kind": event, "user_id": None,
        "recipient": webhook.url, "subject": summary[:300],
        "payload": json.dumps(body, separators=(",", ":"), ensure_ascii=False), "message_id": event_id,
        "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
        "webhook_id": webhook.id, "ordering_key": ordering_key,
    })


def _event_body(event: str, event_id: str, team: Team, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"id": event_id, "type": event, "created_at": now.isoformat().replace("+00:00", "Z"),
            "team": {"id": team.id, "name": team.name}, "data": data}


def emit(session: Session, team_id: int, event: str, data: dict[str, Any], key: str, now: datetime,
         ordering_key: str | None = None, summary: str = "") -> int:
    """Queue ``event`` for every active webhook of the team subscribed to it; returns how many.
    One event id for all of them: receivers can tell the same event apart from a new one."""
    webhooks = [w for w in session.scalars(select(Webhook).where(Webhook.team_id == team_id, Webhook.is_active))
                if event in w.events.split()]
    if not webhooks:
        return 0
    team = session.get(Team, team_id)
    assert team is not None
    event_id = f"evt_{uuid.uuid4().hex}"
    body = _event_body(event, event_id, team, data, now)
    return sum(1 for w in webhooks if _queue(session, w, event=event, event_id=event_id, body=body, key=key,
                                               ordering_key=ordering_key, summary=summary, now=now) is not None)


def ping(session: Session, webhook: Webhook, now: datetime) -> OutboxMessage:
    """Queue a test event for one webhook (whatever it subscribes to)."""
    team = session.get(Team, webhook.team_id)
    assert team is not None
    event_id = f"evt_{uuid.uuid4().hex}"
    body = _event_body(PING, event_id, team, {"webhook": {"id": webhook.id, "name": webhook.name}}, now)
    row_id = _queue(session, webhook, event=PING, event_id=event_id, body=body, key=f"ping:{event_id}",
                    ordering_key=None, summary=f"Test event for {team.name}", now=now)
    row = session.get(OutboxMessage, row_id) if row_id is not None else None
    assert row is not None  # the key is new by construction
    return row


def _shared_with_team(meeting: Meeting) -> bool:
    return meeting.team_id is not None and meeting.visibility is Visibility.TEAM


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    """What a webhook says about a meeting (no notes or agenda: those come with the recap)."""
    return {"id": meeting.id, "title": meeting.title, "status": meeting.status.value,
            "starts_at": meeting.starts_at.isoformat().replace("+00:00", "Z"),
            "duration_minutes": meeting.duration_minutes, "time_zone": meeting.time_zone,
            "series_id": meeting.series_id, "url": f"/meetings/{meeting.id}"}


def meeting_event(session: Session, meeting: Meeting, event: str, now: datetime, *, key: str | None = None,
                  change: str | None = None) -> int:
    """meeting.created / .updated / .ended for a team meeting (``change`` says what was updated).
    The default key makes each change of a meeting one event: its sequence counts the changes."""
    if not _shared_with_team(meeting):
        return 0
    assert meeting.team_id is not None
    data: dict[str, Any] = {"meeting": meeting_json(meeting)}
    if change:
        data["change"] = change
    if event == "meeting.ended":
        recap = recap_context(session, meeting, base_url="")
        data["recap"] = {k: recap[k] for k in ("covered", "not_covered", "notes", "decisions")}
        data["recap"]["action_items"] = [{"title": a["title"], "assignee": a["who"], "due_date": a["due"] or None,
                                          "topic": a["topic"] or None, "url": a["link"]} for a in recap["actions"]]
    return emit(session, meeting.team_id, event, data, key or f"{event}:{meeting.id}:{meeting.sequence}", now,
         ordering_key=f"meeting:{meeting.id}", summary=meeting.title)


def action_item_json(action: ActionItem, session: Session) -> dict[str, Any]:
    """What a webhook says about an action item, with its assignee and meeting."""
    assignee = session.get(User, action.assignee_id) if action.assignee_id else None
    return {"id": action.id, "title": action.title, "description": action.description,
            "status": action.status.value, "due_date": action.due_date.isoformat() if action.due_date else None,
            "assignee": {"id": assignee.id, "name": assignee.name, "email": assignee.email} if assignee else None,
            "completed_at": action.completed_at.isoformat().replace("+00:00", "Z") if action.completed_at else None,
            "url": f"/meetings/{action.meeting_id}#action-{action.id}"}


def action_item_event(session: Session, action: ActionItem, event: str, now: datetime, key: str | None = None) -> int:
    """action_item.* for an item of a team meeting; the default key is one event per version."""
    meeting = session.get(Meeting, action.meeting_id)
    if meeting is None or not _shared_with_team(meeting):
        return 0
    assert meeting.team_id is not None
    data = {"action_item": action_item_json(action, session),
            "meeting": {"id": meeting.id, "title": meeting.title, "url": f"/meetings/{meeting.id}"}}
    return emit(session, meeting.team_id, event, data, key or f"{event}:{action.id}:{action.version}", now,
         ordering_key=f"action_item:{action.id}", summary=action.title)
