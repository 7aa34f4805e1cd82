"""Recurrence rules (RFC 5545 RRULE) built from the choices people make, and their occurrences.

Occurrences are computed on wall-clock time in the series' time zone, so a 10:00 meeting stays at
10:00 local time across daylight-saving changes; they are returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from meetings.domain.errors import ValidationError

FREQUENCIES = ("none", "daily", "weekdays", "weekly", "monthly_date", "monthly_nth")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                         strict=True))
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
MAX_COUNT = 1000
MAX_INTERVAL = 99


@dataclass(frozen=True)
class RecurrenceChoice:
    """What the "repeat" part of the new-meeting form says."""

    frequency: str = "none"
    interval: int = 1
    weekdays: tuple[str, ...] = field(default_factory=tuple)
    ends: str = "never"  # never | on | after
    until: date | None = None
    count: int | None = None


def build_rule(choice: RecurrenceChoice, first_start: datetime) -> str | None:
    """The RRULE for ``choice`` starting at ``first_start`` (aware, local); None for a one-off.

    Raises ValidationError naming the form field at fault.
    """
    if choice.frequency not in FREQUENCIES:
        raise ValidationError({"frequency": "Choose how often the meeting repeats."})
    if choice.frequency == "none":
        return None
    if not 1 <= choice.interval <= MAX_INTERVAL:
        raise ValidationError({"interval": f"Repeat every 1 to {MAX_INTERVAL} periods."})
    parts: list[str] = []
    weekday = WEEKDAYS[first_start.weekday()]
    if choice.frequency == "daily":
        parts = ["FREQ=DAILY"]
    elif choice.frequency == "weekdays":
        parts = ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"]
    elif choice.frequency == "weekly":
        days = choice.weekdays or (weekday,)
        if any(d not in WEEKDAYS for d in days):
            raise ValidationError({"weekdays": "Choose days of the week from the list."})
        parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(d for d in WEEKDAYS if d in days)]
    elif choice.frequency == "monthly_date":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={first_start.day}"]
    else:  # monthly_nth: e.g. the second Tuesday, or the last Friday when it falls in the last week
        nth = (first_start.day - 1) // 7 + 1
        parts = ["FREQ=MONTHLY", f"BYDAY={-1 if nth == 5 else nth}{weekday}"]
    if choice.interval != 1 and choice.frequency != "weekdays":
        parts.insert(1, f"INTERVAL={choice.interval}")
    if choice.ends == "on":
        if choice.until is None:
            raise ValidationError({"until": "Enter the date of the last meeting."})
        if choice.until < first_start.date():
            raise ValidationError({"until": "The series can't end before its first meeting."})
        last_moment = datetime.combine(choice.until, time(23, 59, 59), tzinfo=first_start.tzinfo)
        parts.append("UNTIL=" + last_moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))  # RFC 5545: UTC
    elif choice.ends == "after":
        if choice.count is None or not 1 <= choice.count <= MAX_COUNT:
            raise ValidationError({"count": f"Enter a number of meetings from 1 to {MAX_COUNT}."})
        parts.append(f"COUNT={choice.count}")
    elif choice.ends != "never":
        raise ValidationError({"ends": "Choose when the series ends."})
    return ";".join(parts)


def _rule(rule: str, first_start_local: str, time_zone: str):  # type: ignore[no-untyped-def]
    dtstart = datetime.fromisoformat(first_start_local).replace(tzinfo=ZoneInfo(time_zone))
    # dateutil steps through wall-clock fields and keeps tzinfo, so zoneinfo gives each occurrence the
    # offset in force on its own date: that is what keeps 10:00 at 10:00 across DST changes.
    return rrulestr(rule, dtstart=dtstart)


def occurrences(
    rule: str, first_start_local: str, time_zone: str, after: datetime | None = None
) -> Iterator[tuple[int, datetime]]:
    """(1-based index along the series, UTC start) for each occurrence, optionally only those
    starting after ``after``. Infinite for a rule without an end: take what you need."""
    for index, start in enumerate(_rule(rule, first_start_local, time_zone), start=1):
        utc = start.astimezone(UTC)
        if after is None or utc > after:
            yield index, utc


def ends_before(rule: str, moment_local: datetime) -> str:
    """``rule`` cut so that no occurrence starts at or after ``moment_local`` (aware)."""
    parts = [p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    last = (moment_local - timedelta(seconds=1)).astimezone(UTC)
    return ";".join([*parts, "UNTIL=" + last.strftime("%Y%m%dT%H%M%SZ")])


def _weekday(text: str) -> tuple[int | None, str]:
    """("2TU" ->) (2, "Tuesday"); ("FR" ->) (None, "Friday")."""
    nth, day = text[:-2], text[-2:]
    return (int(nth) if nth.lstrip("+-").isdigit() else None), WEEKDAY_NAMES.get(day, day)


def describe(rule: str | None, time_zone: str = "UTC") -> str:
    """A short English description: "Every 2 weeks on Tuesday, until 30 Jun 2026" (dates in
    ``time_zone``, the series' own)."""
    if not rule:
        return "Does not repeat"
    fields = dict(part.split("=", 1) for part in rule.split(";"))
    interval = int(fields.get("INTERVAL", "1"))
    freq = fields["FREQ"]
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq, freq.lower())
    text = f"Every {interval} {unit}s" if interval > 1 else f"Every {unit}"
    byday = fields.get("BYDAY")
    days = [_weekday(d) for d in byday.split(",")] if byday else []
    if byday == "MO,TU,WE,TH,FR" and freq == "WEEKLY" and interval == 1:
        text = "Every weekday"
    elif days and freq in {"WEEKLY", "MONTHLY"}:
        # Imported rules may name several days, with or without their place in the month.
        text += " on " + ", ".join(f"the {ORDINALS.get(nth, f'{nth}.')} {name}" if nth else name
                                   for nth, name in days)
    elif "BYMONTHDAY" in fields:
        text += f" on day {fields['BYMONTHDAY']}"
    if "COUNT" in fields:
        text += f", {fields['COUNT']} times"
    if "UNTIL" in fields:
        until = datetime.strptime(fields["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        text += f", until {until.astimezone(ZoneInfo(time_zone)):%d %b %Y}"
    return text
