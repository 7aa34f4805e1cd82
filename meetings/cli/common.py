"""What every ``meetings`` command shares: settings and the database from the environment, and --now."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from meetings.db import Database
from meetings.settings import Settings, SettingsError


def settings_from_env() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def open_database(settings: Settings) -> Database:
    try:
        return Database(settings.resolved_database_url)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def parse_now(value: str | None) -> datetime:
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

