"""Scheduler jobs: few, and each scans the database, so that all state lives there and survives
restarts. APScheduler only drives the clock.

The jobs keep every series' next occurrence ready (with what carries over), queue the reminders
and the overdue webhook events that are due, and deliver the outbox (emails and webhooks) (retrying failed sends even when nobody uses the app). With several
processes running it, the unique (series, occurrence) constraint lets only one of them create an
occurrence; the others skip it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetings.db import Database
from meetings.domain.reminders import ReminderReport, run_reminders
from meetings.domain.scheduling import ensure_next_occurrence
from meetings.domain.webhook_overdue import announce_overdue
from meetings.integrations.email_delivery import SmtpTransport, deliver_pending
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.integrations.webhook_delivery import WebhookReport, deliver_webhooks
from meetings.models import MeetingSeries
from meetings.settings import Settings

logger = logging.getLogger("meetings.jobs")

PREPARE_EVERY = timedelta(minutes=5)
REMIND_EVERY = timedelta(minutes=5)
DELIVER_EVERY = timedelta(minutes=1)  # retries are due by the minute (1, 2, 4 ... minutes)


@dataclass
class PrepareReport:
    """What one run of ``prepare_occurrences`` did."""

    created: int = 0
    skipped: int = 0


def prepare_occurrences(database: Database, now: datetime) -> PrepareReport:
    """Create the next occurrence of every series whose meetings are all over."""
    report = PrepareReport()
    with database.session(write=False) as session:
        series_ids = list(session.scalars(select(MeetingSeries.id).order_by(MeetingSeries.id)))
    for series_id in series_ids:  # one transaction per series: one failure does not undo the others
        try:
            with database.session() as session:
                series = session.get(MeetingSeries, series_id)
                if series is not None and ensure_next_occurrence(session, series, now) is not None:
                    report.created += 1
        except IntegrityError:
            report.skipped += 1  # another process created it at the same moment
    if report.created:
        logger.info("Prepared %d next occurrence(s)", report.created)
    return report


def deliver_outbox(database: Database, transport: SmtpTransport | None, mail_from: str, now: datetime) -> None:
    """Send what is due in the outbox (retries included); keep it in the mailbox without SMTP."""
    report = deliver_pending(database, transport, mail_from, now)
    if report.sent or report.failed or report.retrying:
        logger.info("Outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)


def deliver_webhook_events(database: Database, base_url: str, now: datetime) -> WebhookReport:
    """Post what is due to the teams' webhooks (retries included), in order per meeting or item."""
    report = deliver_webhooks(database, base_url, now)
    if report.sent or report.failed or report.retrying:
        logger.info("Webhooks: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
    return report


def announce_overdue_items(database: Database, now: datetime) -> int:
    """Queue action_item.overdue for the items that became overdue (each once per due date)."""
    with database.session() as session:
        queued = announce_overdue(session, now)
    if queued:
        logger.info("Webhooks: %d overdue event(s) queued", queued)
    return queued


def send_reminders(database: Database, composer: JinjaEmailComposer, now: datetime) -> ReminderReport:
    """Queue every reminder due at ``now`` (each exactly once, whoever runs the scan)."""
    with database.session() as session:
        report = run_reminders(session, composer, now)
    if report.total:
        logger.info("Reminders queued: %s", report.queued)
    return report


def add_jobs(scheduler: BaseScheduler, database: Database, clock: Callable[[], datetime],
             settings: Settings) -> None:
    """Register every job on ``scheduler`` (in the web process, or in `meetings worker`)."""
    transport = SmtpTransport(settings.smtp_url) if settings.smtp_url else None
    composer = JinjaEmailComposer(settings.base_url, settings.resolved_secret_key())
    _every(scheduler, "send_reminders", REMIND_EVERY, lambda: send_reminders(database, composer, clock()))
    _every(scheduler, "deliver_outbox", DELIVER_EVERY,
           lambda: deliver_outbox(database, transport, settings.mail_from, clock()))
    _every(scheduler, "deliver_webhooks", DELIVER_EVERY,
           lambda: deliver_webhook_events(database, settings.base_url, clock()))
    _every(scheduler, "announce_overdue", REMIND_EVERY, lambda: announce_overdue_items(database, clock()))
    _every(scheduler, "prepare_occurrences", PREPARE_EVERY, lambda: prepare_occurrences(database, clock()))


def _every(scheduler: BaseScheduler, name: str, every: timedelta, job: Callable[[], object]) -> None:
    # APScheduler works on the real clock (a start in the past counts as misfired); each job asks
    # ``clock`` for the time it acts on. A late or slow run is coalesced, never run twice at once.
    scheduler.add_job(job, "interval", seconds=every.total_seconds(), id=name, name=name,
                      next_run_time=datetime.now(UTC), coalesce=True, max_instances=1, replace_existing=True)


def background_scheduler(database: Database, clock: Callable[[], datetime],
                         settings: Settings) -> BackgroundScheduler:
    """A scheduler running the jobs in a thread of this process (the embedded shape)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, database, clock, settings)
    return scheduler
