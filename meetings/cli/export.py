"""``meetings export``: action items as CSV or JSON, streamed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from meetings.cli.common import open_database as _database
from meetings.cli.common import settings_from_env as _settings


@click.group()
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

