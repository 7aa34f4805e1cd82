"""The ``meetings`` command: serve the app, migrate the database, seed the demo, manage users.

Exports are in ``export.py``; the scheduler's commands (worker, reminders, outbox) in ``scheduled.py``.
"""

from __future__ import annotations

from pathlib import Path

import click

from meetings.cli.common import open_database as _database
from meetings.cli.common import parse_now as _parse_now
from meetings.cli.common import settings_from_env as _settings
from meetings.cli.export import export
from meetings.cli.scheduled import outbox, reminders, worker


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


for _command in (worker, export, reminders, outbox):
    main.add_command(_command)
