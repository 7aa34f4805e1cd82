"""Jinja filters and globals for dates, times and durations shown to people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from meetings import __version__
from meetings.domain.recurrence import describe
from meetings.integrations.markdown import render_markdown
from meetings.settings import Settings

VISIBILITY_LABELS = {"team": "Team", "attendees": "Attendees only", "private": "Private 1-on-1"}


def local_datetime(value: datetime, time_zone: str) -> str:
    """``Tue 3 Mar 2026, 10:00 CET`` in ``time_zone``."""
    local = value.astimezone(ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def local_time(value: datetime, time_zone: str) -> str:
    """``09:30`` in ``time_zone``."""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%H:%M")


def iso_datetime(value: datetime) -> str:
    """Machine-readable time for ``<time datetime=...>``."""
    return value.isoformat(timespec="minutes")


def long_date(value: date) -> str:
    """``Tue 3 Mar 2026``."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def minutes(value: int | None) -> str:
    """``90`` -> ``1 h 30 min``."""
    if not value:
        return "–"
    hours, rest = divmod(value, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def local_parts(value: datetime, time_zone: str) -> dict[str, str]:
    """Date and time fields (``2026-03-31``, ``09:30``) for a form, in ``time_zone``."""
    local = value.astimezone(ZoneInfo(time_zone))
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


def countdown(seconds: int) -> str:
    """``754`` -> ``12:34``; ``-65`` -> ``-1:05`` (over time)."""
    sign = "-" if seconds < 0 else ""
    minutes_part, secs = divmod(abs(seconds), 60)
    return f"{sign}{minutes_part}:{secs:02d}"


def iso_seconds(value: datetime) -> str:
    """Exact ISO 8601 time for scripts (the timer)."""
    return value.isoformat(timespec="seconds")


def register_filters(env: Environment, settings: Settings) -> None:
    """Install the filters and the globals every page may use."""
    env.filters.update(local_datetime=local_datetime, iso_datetime=iso_datetime, long_date=long_date, minutes=minutes,
                       local_parts=local_parts, describe_rule=describe, markdown=render_markdown,
                       countdown=countdown, iso_seconds=iso_seconds, local_time=local_time)
    globals_: dict[str, Any] = {
        "app_version": __version__,
        "base_url": settings.base_url,
        "visibility_labels": VISIBILITY_LABELS,
    }
    env.globals.update(globals_)
