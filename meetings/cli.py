"""The ``meetings`` command: serve the app, migrate the database, seed the demo, manage users."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import click

from meetings.db import Database
from meetings.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _database(settings: Settings) -> Database:
    try:
        return Database(settings.resolved_database_url)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-03-02T09:00:00+01:00", param_hint="--now"
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time with an offset, e.g. 2026-03-02T09:00:00Z", param_hint="--now")
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="meetings")
def main() -> None:
    """Meetings: agendas, notes and action items for teams, self-hosted.

    Settings come from MEETINGS_* environment variables and an optional .env file
    (see the README for every setting).
    """


@main.command()
@click.option("--host", default=None, help="Address to listen on. [default: MEETINGS_HOST or 127.0.0.1]")
@click.option("--port", type=int, default=None, help="Port to listen on. [default: MEETINGS_PORT or 8000]")
@click.option("--workers", type=int, default=None, help="Worker processes. [default: MEETINGS_WORKERS or 1]")
@click.option("--reload", is_flag=True, help="Restart when the code changes (development only).")
def serve(host: str | None, port: int | None, workers: int | None, reload: bool) -> None:
    """Serve the web app (and its live updates) over HTTP."""
    import uvicorn

    from meetings.web.live import MAX_MESSAGE

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    click.echo(f"Meetings is serving on http://{host}:{port} (public URL {settings.base_url}). Ctrl+C stops it.")
    if (workers or settings.workers) > 1 and not reload and not settings.broker_url:
        click.echo("Several workers without MEETINGS_BROKER_URL: live meeting changes reach only the viewers "
                   "on the same worker.", err=True)
    uvicorn.run(
        "meetings.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        ws_max_size=MAX_MESSAGE + 1024,  # larger frames are refused before they are buffered
    )


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate to this revision.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database to the newest schema."""
    from meetings.migrate import current_revision, upgrade

    database = _database(_settings())
    try:
        before = current_revision(database.engine)
        upgrade(database.engine, revision)
        after = current_revision(database.engine)
    finally:
        database.dispose()
    if before == after:
        click.echo(f"Database already at revision {after}.")
    else:
        click.echo(f"Database migrated from {before or 'empty'} to {after}.")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one this version ships."""
    from meetings.migrate import current_revision, head_revision

    database = _database(_settings())
    try:
        click.echo(f"database: {current_revision(database.engine) or 'empty'}\nnewest:   {head_revision()}")
    finally:
        database.dispose()


@main.command()
@click.option("--now", "now_text", default=None, help="Seed as if it were this ISO 8601 time. [default: now]")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users yet.")
def demo(now_text: str | None, if_empty: bool) -> None:
    """Seed a realistic demo workspace (safe to run again: it never duplicates)."""
    from meetings.domain.demo import database_is_empty, demo_sign_in, seed_demo

    now = _parse_now(now_text)
    database = _database(_settings())
    try:
        with database.session() as session:
            if if_empty and not database_is_empty(session):
                click.echo("The database already has users; demo data not added.")
                result = demo_sign_in(session)
            else:
                result = seed_demo(session, now)
                if result.created:
                    click.echo(f"Demo workspace created: {len(result.users)} people, {result.meetings} meetings, "
                               f"{result.action_items} action items.")
                else:
                    click.echo("The demo workspace already exists; nothing added.")
    finally:
        database.dispose()
    if result is not None and result.users:
        click.echo(f"Sign in as any of these, with the password {result.password!r}:")
        for user in result.users:
            click.echo(f"  {user.email:<22} {user.name}{' (admin)' if user.is_admin else ''}")


@main.command("create-user")
@click.option("--email", required=True, help="Email address; used to sign in and for reminders.")
@click.option("--name", required=True, help="Full name shown to others.")
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--admin", is_flag=True, help="Make the user a workspace admin.")
def create_user_command(email: str, name: str, time_zone: str, admin: bool) -> None:
    """Create a user account."""
    from meetings.domain.errors import ValidationError
    from meetings.domain.users import create_user

    database = _database(_settings())
    try:
        with database.session() as session:
            user = create_user(session, email=email, name=name, time_zone=time_zone, is_admin=admin)
            click.echo(f"Created {'admin ' if admin else ''}user {user.name} <{user.email}> (id {user.id}).")
    except ValidationError as exc:
        messages = "\n".join(f"  --{field.replace('_', '-')}: {message}" for field, message in exc.errors.items())
        raise click.ClickException(f"the user was not created:\n{messages}") from None
    finally:
        database.dispose()


@main.group()
def templates() -> None:
    """Agenda templates: list, show and validate."""


@templates.command("list")
def templates_list() -> None:
    """List the built-in templates."""
    from meetings.domain.agenda_templates import TemplateError, builtin_templates

    try:
        found = builtin_templates()
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    width = max(len(key) for key in found)
    for key, template in found.items():
        click.echo(f"{key:<{width}}  {template.spec.name} ({template.spec.duration_minutes} min): "
                   f"{template.spec.audience}")


@templates.command("show")
@click.argument("name")
def templates_show(name: str) -> None:
    """Show a built-in template's agenda; NAME is its key (see `meetings templates list`)."""
    from meetings.domain.agenda_templates import TemplateError, builtin_templates

    try:
        template = builtin_templates().get(name)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    if template is None:
        raise click.ClickException(f"no template named {name!r}; `meetings templates list` shows them")
    spec = template.spec
    click.echo(f"{spec.name}: {spec.purpose}\nFor: {spec.audience}\nLength: {spec.duration_minutes} min"
               f" ({template.planned_minutes} min in time boxes)\nTitle: {spec.title}")
    for section in spec.sections:
        click.echo(f"\n## {section.title}" + (f"\n   {section.prompt}" if section.prompt else ""))
        for item in section.items:
            extra = ", ".join(x for x in (f"{item.minutes} min" if item.minutes else "", item.owner or "") if x)
            click.echo(f" - {item.title}" + (f" ({extra})" if extra else ""))
    if spec.action_item_prompts:
        click.echo("\nQuestions to leave with action items:")
        for prompt in spec.action_item_prompts:
            click.echo(f" - {prompt}")


@templates.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def templates_validate(files: tuple[Path, ...]) -> None:
    """Check template FILES; prints each problem with the file and field, exits 1 if any is broken."""
    from meetings.domain.agenda_templates import TemplateError, load_template_file

    broken = 0
    for path in files:
        try:
            template = load_template_file(path)
        except TemplateError as exc:
            broken += 1
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"ok: {path.name}: {template.spec.name}, {len(template.spec.sections)} sections")
    if broken:
        raise SystemExit(1)


@main.command()
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


@main.group()
def export() -> None:
    """Export data."""


@export.command("action-items")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="CSV (Jira and Asana import it as it is) or JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file. [default: standard output]")
@click.option("--as", "as_email", default=None, help="Export only what this user may see (their email).")
@click.option("--scope", type=click.Choice(["mine", "team", "all"]), default="all", show_default=True,
              help="With --as: that user's own items, their team's and reports', or everything they may see.")
@click.option("--status", type=click.Choice(["open", "done", "cancelled", "all"]), default="open",
              show_default=True, help="Which action items.")
@click.option("--assignee", default="", help="Only those assigned to this email address.")
@click.option("--team", "team_name", default="", help="Only those from meetings of this team (its name).")
@click.option("--due-after", default="", help="Due on or after this date (YYYY-MM-DD).")
@click.option("--due-before", default="", help="Due on or before this date (YYYY-MM-DD).")
@click.option("--overdue", is_flag=True, help="Only open ones due before today.")
@click.option("--bom", is_flag=True, help="Start with a byte-order mark, so that Excel shows accents right.")
def export_action_items(fmt: str, output: Path | None, as_email: str | None, scope: str, status: str, assignee: str,
                        team_name: str, due_after: str, due_before: str, overdue: bool, bom: bool) -> None:
    """Export action items (outstanding ones by default), streamed row by row."""
    import sys

    from sqlalchemy import select

    from meetings.domain.access import actor_for
    from meetings.domain.action_item_export import EXPORT_COLUMNS, ActionItemFilter, check_filter, export_rows
    from meetings.domain.errors import ValidationError
    from meetings.integrations.csv_export import csv_chunks, json_chunks
    from meetings.models import Team, User

    settings = _settings()
    database = _database(settings)
    try:
        with database.session(write=False) as session:
            actor, today = None, datetime.now(UTC).date()
            if as_email:
                user = session.scalar(select(User).where(User.email == as_email.strip().lower()))
                if user is None:
                    raise click.BadParameter(f"no user with the address {as_email!r}", param_hint="--as")
                actor = actor_for(session, user)
            ids: dict[str, str] = {}
            if assignee:
                found = session.scalar(select(User.id).where(User.email == assignee.strip().lower()))
                if found is None:
                    raise click.BadParameter(f"no user with the address {assignee!r}", param_hint="--assignee")
                ids["assignee"] = str(found)
            if team_name:
                found = session.scalar(select(Team.id).where(Team.name == team_name))
                if found is None:
                    raise click.BadParameter(f"no team named {team_name!r}", param_hint="--team")
                ids["team"] = str(found)
            flt = ActionItemFilter(scope=scope if actor else "all", status=status, due_after=due_after,
                                   due_before=due_before, overdue="on" if overdue else "", **ids)
            try:
                check_filter(flt, actor, today)
            except ValidationError as exc:
                raise click.UsageError("; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in exc.errors.items()))
            rows = export_rows(session, flt, actor, today, settings.base_url)
            chunks = csv_chunks(EXPORT_COLUMNS, rows, bom=bom) if fmt == "csv" else json_chunks(EXPORT_COLUMNS, rows)
            target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
            try:
                for chunk in chunks:
                    target.write(chunk)
            finally:
                if output:
                    target.close()
    finally:
        database.dispose()


@main.group()
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


@main.group()
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
