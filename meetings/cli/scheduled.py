"""The scheduler's commands: ``meetings worker``, ``meetings reminders run``, ``meetings outbox``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click

from meetings.cli.common import open_database as _database
from meetings.cli.common import parse_now as _parse_now
from meetings.cli.common import settings_from_env as _settings


@click.command()
def worker() -> None:
    """Run the scheduler's jobs in this process (set MEETINGS_SCHEDULER=false in web processes)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from meetings.domain.agenda_templates import TemplateError, builtin_templates
    from meetings.jobs import add_jobs

    try:
        builtin_templates()
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    settings = _settings()
    # What the jobs did (reminders queued, emails sent or failed) at MEETINGS_LOG_LEVEL, as in the web process.
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(asctime)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run of every job
    database = _database(settings)
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, database, lambda: datetime.now(UTC), settings)
    click.echo("Meetings worker: running scheduled jobs. Ctrl+C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        database.dispose()



@click.group()
def reminders() -> None:
    """Reminder emails."""


@reminders.command("run")
@click.option("--now", "now_text", default=None, help="Act as if it were this ISO 8601 time. [default: now]")
@click.option("--dry-run", is_flag=True, help="Show what is due without queuing or sending anything.")
def reminders_run(now_text: str | None, dry_run: bool) -> None:
    """Queue the reminders due at that time, deliver what is pending once, and print a summary."""
    from meetings.domain.reminders import run_reminders
    from meetings.integrations.email_delivery import SmtpTransport, deliver_pending
    from meetings.integrations.email_templates import JinjaEmailComposer

    now = _parse_now(now_text)
    settings = _settings()
    database = _database(settings)
    try:
        with database.session() as session:
            report = run_reminders(session, JinjaEmailComposer(settings.base_url, settings.resolved_secret_key()), now)
            if dry_run:
                session.rollback()
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.queued.items())) or "nothing"
        click.echo(f"{'Would queue' if dry_run else 'Queued'}: {kinds}.")
        if dry_run:
            return
        transport = SmtpTransport(settings.smtp_url) if settings.smtp_url else None
        delivery = deliver_pending(database, transport, settings.mail_from, now)
        click.echo(f"Delivered: {delivery.sent} sent, {delivery.kept} kept in the mailbox, "
                   f"{delivery.retrying} to retry, {delivery.failed} failed.")
    finally:
        database.dispose()


@click.group()
def outbox() -> None:
    """The queue of outgoing email and webhook deliveries."""


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "kept", "failed"]), default=None,
              help="Only messages in this state. [default: all]")
@click.option("--limit", type=int, default=50, show_default=True, help="How many, newest first.")
def outbox_list(status: str | None, limit: int) -> None:
    """List outbox messages with their state, attempts and last error."""
    from meetings.domain.outbox_admin import outbox_messages

    database = _database(_settings())
    try:
        with database.session(write=False) as session:
            rows = outbox_messages(session, status, limit)
            for m in rows:
                error = f"  error: {m.last_error}" if m.last_error else ""
                click.echo(f"{m.id:>6}  {m.status.value:<8} {m.attempts} tries  {m.kind:<20} {m.recipient}  "
                           f"{m.subject}{error}")
            if not rows:
                click.echo("The outbox is empty." if status is None else f"No {status} messages.")
    finally:
        database.dispose()


@outbox.command("retry")
@click.option("--id", "message_id", type=int, default=None, help="Only this message. [default: every failed one]")
def outbox_retry(message_id: int | None) -> None:
    """Queue failed messages again (they keep their Message-ID); the next delivery sends them."""
    from meetings.domain.outbox_admin import retry_failed

    database = _database(_settings())
    try:
        with database.session() as session:
            count = retry_failed(session, datetime.now(UTC), message_id)
        click.echo(f"{count} message{'s' if count != 1 else ''} queued again.")
    finally:
        database.dispose()
