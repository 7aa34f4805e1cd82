"""Delivers queued outbox emails over SMTP (aiosmtplib), or keeps them in the in-app mailbox.

Each message is claimed by one process at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
has one writer anyway), keeps its Message-ID across retries, and is retried with exponential
backoff after a temporary failure. A permanent failure is recorded for admins to see.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy import or_, select

from meetings.db import Database
from meetings.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("meetings.email")

CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


class HeaderInjectionError(ValueError):
    """A value meant for an email header contains a line break."""


_BREAKS = ("\r", "\n", "\x00")


def _header(value: str) -> str:
    """``value`` if it is safe in a header: no line breaks, also none hidden in an encoded word.

    The second check is the one place that works around CPython's email package, which wrote
    newlines from re-encoded headers unquoted (CVE-2024-6923, gh-121650; fixed in 3.11.10 and
    3.12.5, and we support older 3.11 releases): a subject such as ``=?utf-8?q?a=0ABcc:_x?=``
    must never reach the generator.
    """
    if any(c in value for c in _BREAKS):
        raise HeaderInjectionError(f"line break in an email header value: {value[:60]!r}")
    try:
        parts = decode_header(value)
    except HeaderParseError:
        raise HeaderInjectionError(f"malformed encoded word in an email header value: {value[:60]!r}") from None
    # Checked on the raw bytes: any charset (even an unknown one) that spells a line break holds CR or LF.
    if any(b in (part if isinstance(part, bytes) else part.encode()) for part, _ in parts for b in (b"\r", b"\n", b"\0")):
        raise HeaderInjectionError(f"encoded line break in an email header value: {value[:60]!r}")
    return value


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative, plus the row's extra
    headers (List-Unsubscribe for reminders) and, for an invitation, a calendar alternative and an
    .ics attachment."""
    bodies = json.loads(row.payload)
    message = EmailMessage()
    message["From"] = _header(mail_from)
    message["To"] = _header(row.recipient)
    message["Subject"] = _header(row.subject)
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = _header(row.message_id)
    for name, value in bodies.get("headers", {}).items():
        message[_header(name)] = _header(value)
    message.set_content(bodies["text"])
    message.add_alternative(bodies["html"], subtype="html")
    if "calendar" in bodies:
        _add_calendar(message, bodies["calendar"])
    return message


def _add_calendar(message: EmailMessage, calendar: dict[str, str]) -> None:
    """iMIP (RFC 6047): the invitation as a third alternative, ``text/calendar; method=...``, which
    Gmail, Outlook and Thunderbird show with accept / decline, and the same file as an .ics
    attachment for clients that only offer attachments."""
    method = _header(calendar["method"])
    # The email package writes its own line ends (CRLF on the wire): hand it plain ones.
    message.add_alternative(calendar["ics"].replace("\r\n", "\n"), subtype="calendar", params={"method": method})
    message.add_attachment(calendar["ics"].encode(), maintype="application", subtype="ics", filename="invite.ics")


@dataclass(frozen=True)
class SendResult:
    """What happened to one message: ``error`` is None on success."""

    error: str | None = None
    permanent: bool = False


class SmtpTransport:
    """Sends through the server in ``MEETINGS_SMTP_URL``: smtp:// uses STARTTLS when offered,
    smtps:// connects with TLS."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        self.use_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.use_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def send_all(self, messages: Sequence[EmailMessage]) -> list[SendResult]:
        """Send over one connection; a failure to connect is a temporary failure for each."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._send_all(messages))
        # This thread already runs an event loop (a caller inside async code, or Playwright's sync
        # API in the tests), where asyncio.run() is refused: use a thread of our own.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self._send_all(messages)).result()

    async def _send_all(self, messages: Sequence[EmailMessage]) -> list[SendResult]:
        client = aiosmtplib.SMTP(
            hostname=self.hostname, port=self.port, use_tls=self.use_tls, timeout=self.timeout,
            start_tls=False if self.use_tls else None,  # None: STARTTLS whenever the server offers it
        )
        try:
            await client.connect()
            if self.username:
                await client.login(self.username, self.password or "")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return [SendResult(f"cannot reach the mail server: {exc}") for _ in messages]
        results = []
        try:
            for message in messages:
                results.append(await self._send_one(client, message))
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass
        return results

    @staticmethod
    async def _send_one(client: aiosmtplib.SMTP, message: EmailMessage) -> SendResult:
        try:
            refused, _ = await client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            return SendResult(f"recipient refused: {exc}", permanent=all(c >= 500 for c in codes))
        except aiosmtplib.SMTPResponseException as exc:
            return SendResult(f"{exc.code} {exc.message}", permanent=exc.code >= 500)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SendResult(f"connection lost: {exc}")
        if refused:
            return SendResult(f"recipient refused: {refused}", permanent=True)
        return SendResult()


@dataclass
class DeliveryReport:
    """Counts from one delivery run."""

    sent: int = 0
    kept: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _claim(database: Database, now: datetime, limit: int) -> list[OutboxMessage]:
    with database.session() as session:
        due = or_(
            (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
            # a process that died mid-send left its claim behind; take it over once it lapses
            (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
        )
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == "email", due)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = OutboxStatus.SENDING
            row.claimed_until = now + CLAIM_FOR
        return rows


def deliver_pending(
    database: Database, transport: SmtpTransport | None, mail_from: str, now: datetime, limit: int = 200
) -> DeliveryReport:
    """Deliver what is due. Without a transport, messages are kept for the in-app mailbox."""
    report = DeliveryReport()
    rows = _claim(database, now, limit)
    if not rows:
        return report
    outcomes: dict[int, SendResult] = {}
    to_send: list[tuple[OutboxMessage, EmailMessage]] = []
    for row in rows:
        try:
            to_send.append((row, build_message(row, mail_from)))
        except HeaderInjectionError as exc:
            outcomes[row.id] = SendResult(str(exc), permanent=True)
    if transport is not None and to_send:
        for (row, _), result in zip(to_send, transport.send_all([m for _, m in to_send]), strict=True):
            outcomes[row.id] = result
    with database.session() as session:
        for row in rows:
            current = session.get(OutboxMessage, row.id)
            assert current is not None
            current.claimed_until = None
            current.attempts += 1
            result = outcomes.get(row.id)
            if result is None:  # no transport: the mailbox page shows it
                current.status, current.sent_at = OutboxStatus.KEPT, now
                report.kept += 1
            elif result.error is None:
                current.status, current.sent_at, current.last_error = OutboxStatus.SENT, now, None
                report.sent += 1
            elif result.permanent or current.attempts >= MAX_ATTEMPTS:
                current.status, current.last_error = OutboxStatus.FAILED, result.error
                report.failed += 1
                report.errors.append(result.error)
                logger.error("Email %s to %s failed for good: %s", current.id, current.recipient, result.error)
            else:
                current.status, current.last_error = OutboxStatus.PENDING, result.error
                current.next_attempt_at = now + retry_delay(current.attempts)
                report.retrying += 1
                logger.warning("Email %s to %s will be retried: %s", current.id, current.recipient, result.error)
    return report
