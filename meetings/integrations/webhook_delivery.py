"""Delivers queued webhook events over HTTP (httpx), signed, in order per meeting or action item.

Each delivery is claimed by one process at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
takes the write lock at BEGIN), like the email outbox. Answers:

- 2xx: sent.
- 408, 429, 5xx, a timeout or a connection error: tried again after 1, 2, 4 ... minutes (at most
  six hours; a longer ``Retry-After`` is honoured), 8 attempts in all, then failed.
- any other answer (other 4xx, and 3xx: redirects are not followed): failed at once.

Order: a delivery waits while an earlier delivery to the same webhook about the same meeting or
action item (``ordering_key``) is still pending, so "completed" never overtakes "created" that is
waiting for its retry. A failed delivery no longer holds the later ones back.

Signature: ``X-Meetings-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`` with
``X-Meetings-Timestamp`` in Unix seconds. The timestamp is the attempt's (each retry signs anew),
so receivers can refuse old requests; ``X-Meetings-Event-Id`` stays the same across retries (and
across webhooks) for them to drop duplicates. The body bytes are the same on every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from meetings.db import Database
from meetings.domain.webhook_events import PING
from meetings.integrations.email_delivery import LONGEST_RETRY, MAX_ATTEMPTS, SendResult, retry_delay
from meetings.integrations.webhook_payloads import render_body
from meetings.models import OutboxMessage, OutboxStatus, Webhook

logger = logging.getLogger("meetings.webhooks")

CLAIM_FOR = timedelta(minutes=5)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Meetings-Webhooks/1"
ROUNDS = 20  # a run keeps claiming while deliveries free the ones queued behind them


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Meetings-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


@dataclass(frozen=True)
class Delivery:
    """What one attempt needs, read while the row was claimed."""

    id: int
    url: str
    secret: str
    payload_format: str
    active: bool
    event: str
    event_id: str
    payload: str
    attempt: int


@dataclass
class WebhookReport:
    """Counts from one delivery run."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    result: SendResult
    retry_after: timedelta | None = None


def _retry_after(response: httpx.Response, now: datetime) -> timedelta | None:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        return parsedate_to_datetime(value) - now if value else None
    except (TypeError, ValueError):
        return None


def post(client: httpx.Client, delivery: Delivery, base_url: str, now: datetime) -> Outcome:
    """One signed attempt; the receiver's answer body is never kept (it may come from anywhere)."""
    body = render_body(delivery.payload, delivery.payload_format, base_url)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Meetings-Event": delivery.event, "X-Meetings-Event-Id": delivery.event_id,
        "X-Meetings-Attempt": str(delivery.attempt), "X-Meetings-Timestamp": str(timestamp),
        "X-Meetings-Signature": sign(delivery.secret, timestamp, body),
    }
    try:
        response = client.post(delivery.url, content=body, headers=headers)
    except httpx.TimeoutException:
        return Outcome(SendResult("timed out"))
    except httpx.TransportError as exc:
        return Outcome(SendResult(f"cannot connect: {type(exc).__name__}"))
    except (httpx.InvalidURL, ValueError) as exc:  # e.g. a host name IDNA refuses: retrying cannot help
        return Outcome(SendResult(f"invalid URL: {exc}", permanent=True))
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(SendResult())
    error = f"HTTP {status} {response.reason_phrase}".strip()
    if status in (408, 429) or status >= 500:
        return Outcome(SendResult(error), _retry_after(response, now))
    return Outcome(SendResult(error, permanent=True))


def _attempt(client: httpx.Client, delivery: Delivery, base_url: str, now: datetime) -> Outcome:
    if not delivery.active and delivery.event != PING:  # a test event goes out even while the webhook is off
        return Outcome(SendResult("the webhook is turned off", permanent=True))
    try:
        return post(client, delivery, base_url, now)
    except Exception as exc:  # one broken row must not hold up the others: record it and go on
        logger.exception("Webhook delivery %s could not be attempted", delivery.id)
        return Outcome(SendResult(f"could not be sent: {type(exc).__name__}", permanent=True))


def _claim(database: Database, now: datetime, limit: int) -> list[Delivery]:
    earlier = aliased(OutboxMessage)
    waiting_behind = exists().where(
        earlier.webhook_id == OutboxMessage.webhook_id, earlier.ordering_key == OutboxMessage.ordering_key,
        earlier.id < OutboxMessage.id, earlier.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # a process that died mid-send left its claim behind; take it over once it lapses
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    with database.session() as session:
        rows = list(session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "webhook", due,
                   or_(OutboxMessage.ordering_key.is_(None), ~waiting_behind))
            .order_by(OutboxMessage.id).limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessage)))
        claimed = []
        for row in rows:
            row.status, row.claimed_until = OutboxStatus.SENDING, now + CLAIM_FOR
            webhook = session.get(Webhook, row.webhook_id) if row.webhook_id else None
            claimed.append(Delivery(
                id=row.id, url=webhook.url if webhook else row.recipient, secret=webhook.secret if webhook else "",
                payload_format=webhook.payload_format if webhook else "json",
                active=webhook is not None and webhook.is_active, event=row.kind, event_id=row.message_id,
                payload=row.payload, attempt=row.attempts + 1))
        return claimed


def _record(database: Database, outcomes: dict[int, Outcome], now: datetime, report: WebhookReport) -> None:
    with database.session() as session:
        for row_id, outcome in outcomes.items():
            row = session.get(OutboxMessage, row_id)
            if row is None:  # the webhook was deleted meanwhile, with its deliveries
                continue
            row.claimed_until = None
            row.attempts += 1
            error = outcome.result.error
            if error is None:
                row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, None
                report.sent += 1
            elif outcome.result.permanent or row.attempts >= MAX_ATTEMPTS:
                row.status, row.last_error = OutboxStatus.FAILED, error
                report.failed += 1
                report.errors.append(error)
                logger.error("Webhook delivery %s (%s) failed for good: %s", row.id, row.kind, error)
            else:
                delay = max(retry_delay(row.attempts), min(outcome.retry_after or timedelta(0), LONGEST_RETRY))
                row.status, row.last_error, row.next_attempt_at = OutboxStatus.PENDING, error, now + delay
                report.retrying += 1
                logger.warning("Webhook delivery %s (%s) will be retried: %s", row.id, row.kind, error)


def deliver_webhooks(database: Database, base_url: str, now: datetime, client: httpx.Client | None = None,
                     limit: int = 100) -> WebhookReport:
    """Deliver every webhook event that is due, in order per meeting or action item."""
    report = WebhookReport()
    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        for _ in range(ROUNDS):
            deliveries = _claim(database, now, limit)
            if not deliveries:
                break
            outcomes = {d.id: _attempt(http, d, base_url, now) for d in deliveries}
            _record(database, outcomes, now, report)
    finally:
        if own_client:
            http.close()
    return report
