"""Reads an uploaded .ics file (a Google Calendar or Outlook export) into plain event records that
the domain turns into meetings and series (``domain/calendar_import.py``).

Kept from each VEVENT: UID, SUMMARY, DESCRIPTION, start (wall clock and zone), length, RRULE,
EXDATE, changed and cancelled occurrences (RECURRENCE-ID), attendees' and organiser's addresses.
Outlook's Windows zone names ("W. Europe Standard Time") become IANA names with the table the
icalendar library maintains (CLDR's windowsZones). What can't be kept is listed with the reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from icalendar import Calendar, Event, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from meetings.domain.calendar_import import ImportedEvent, ImportedOccurrence, ParsedCalendar

MAX_EVENTS = 2000
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
RULE_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST", "COUNT", "UNTIL")


class CalendarFileError(ValueError):
    """The file as a whole can't be read: nothing is imported."""


class SkipEvent(ValueError):
    """One event can't be kept; the message says why."""


def zone_name(tzid: str) -> str | None:
    """The IANA name for a TZID: IANA names as they are, Windows names mapped; None if unknown."""
    candidate = WINDOWS_TO_OLSON.get(tzid, tzid).strip('"')
    if "/" not in candidate and candidate != "UTC":
        return None
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return candidate


def _moment(prop: Any, default_zone: str) -> tuple[datetime, str]:
    """(wall clock, zone) of a DTSTART-like property; all-day dates are refused."""
    value = prop.dt
    if not isinstance(value, datetime):
        raise SkipEvent("an all-day event is not a meeting")
    tzid = prop.params.get("TZID")
    if tzid:
        zone = zone_name(str(tzid))
        if zone is None:
            raise SkipEvent(f"unknown time zone {tzid!r}")
        return value.replace(tzinfo=None), zone
    if value.tzinfo is not None:  # UTC ("Z")
        return value.astimezone(UTC).replace(tzinfo=None), "UTC"
    return value, default_zone  # floating time: the importer's own zone


def _utc(prop: Any, default_zone: str) -> datetime:
    wall, zone = _moment(prop, default_zone)
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _duration(event: Event, start: datetime, default_zone: str) -> int:
    if event.get("DTEND") is not None:
        end = _utc(event["DTEND"], default_zone)
    elif event.get("DURATION") is not None:
        end = start + event["DURATION"].dt
    else:
        raise SkipEvent("it has no end or length")
    minutes = round((end - start).total_seconds() / 60)
    if not 5 <= minutes <= 720:
        raise SkipEvent(f"it lasts {minutes} minutes; meetings last 5 to 720")
    return minutes


def _rule(event: Event, start_local: datetime, zone: str) -> str | None:
    prop = event.get("RRULE")
    if prop is None:
        return None
    if isinstance(prop, list):
        raise SkipEvent("it has several repeat rules")
    if not isinstance(prop, vRecur):  # the parser keeps a rule it can't read as text
        raise SkipEvent(f"its repeat rule can't be read ({str(prop)[:80]})")
    parts = dict(p.split("=", 1) for p in prop.to_ical().decode().upper().split(";") if "=" in p)
    unknown = sorted(set(parts) - set(RULE_PARTS))
    if unknown:
        raise SkipEvent(f"it repeats by {', '.join(unknown)}, which can't be kept")
    if parts.get("FREQ") not in FREQUENCIES:
        raise SkipEvent(f"it repeats {parts.get('FREQ', 'without a frequency').lower()}, which can't be kept")
    if "COUNT" in parts and "UNTIL" in parts:
        raise SkipEvent("its repeat rule has both COUNT and UNTIL, which RFC 5545 forbids")
    if "UNTIL" in parts:  # RFC 5545: UTC when the start has a zone; a date means to the end of that day
        text = parts["UNTIL"]
        if text.endswith("Z"):
            until = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif "T" in text:
            until = datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(zone))
        else:
            day = datetime.strptime(text, "%Y%m%d").date()
            until = datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(zone))
        parts["UNTIL"] = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    rule = ";".join(f"{k}={parts[k]}" for k in RULE_PARTS if k in parts)
    try:
        next(iter(rrulestr(rule, dtstart=start_local.replace(tzinfo=ZoneInfo(zone)))), None)
    except (ValueError, TypeError) as exc:
        raise SkipEvent(f"its repeat rule can't be read ({exc})") from None
    return rule


def _exdates(event: Event, zone: str) -> list[datetime]:
    props = event.get("EXDATE")
    if props is None:
        return []
    found = []
    for prop in props if isinstance(props, list) else [props]:
        tzid = prop.params.get("TZID")
        own_zone = zone_name(str(tzid)) if tzid else zone
        for item in prop.dts:
            value = item.dt
            if isinstance(value, datetime):
                aware = value if value.tzinfo is not None and not tzid else \
                    value.replace(tzinfo=ZoneInfo(own_zone or zone))
                found.append(aware.astimezone(UTC))
            elif isinstance(value, date):
                raise SkipEvent("it leaves out whole days (EXDATE without a time)")
    return found


def _emails(event: Event) -> list[str]:
    found: list[str] = []
    for name in ("ORGANIZER", "ATTENDEE"):
        props = event.get(name)
        for prop in props if isinstance(props, list) else ([props] if props is not None else []):
            address = str(prop)
            if address.lower().startswith("mailto:"):
                address = address[7:]
            if "@" in address:
                found.append(address.strip().lower())
    return list(dict.fromkeys(found))


def _title(event: Event) -> str:
    return " ".join(str(event.get("SUMMARY", "")).split())[:200] or "(no title)"


def _master(event: Event, default_zone: str) -> ImportedEvent:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        raise SkipEvent("it is cancelled")
    start_local, zone = _moment(event["DTSTART"], default_zone)
    start = start_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    rule = _rule(event, start_local, zone)
    if rule is None and zone == "UTC":  # a one-off in UTC reads best in the importer's zone
        zone = default_zone
        start_local = start.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    imported = ImportedEvent(
        uid=str(event["UID"])[:255], title=_title(event), description=str(event.get("DESCRIPTION", ""))[:5000],
        start_local=start_local, time_zone=zone, duration_minutes=_duration(event, start, default_zone),
        rule=rule, exdates=_exdates(event, zone) if rule else [], emails=_emails(event))
    if rule and event.get("RDATE") is not None:
        imported.notes.append("extra dates (RDATE) were not kept")
    return imported


def _occurrence(event: Event, default_zone: str) -> ImportedOccurrence:
    start = _utc(event["DTSTART"], default_zone)
    return ImportedOccurrence(
        recurrence_id=_utc(event["RECURRENCE-ID"], default_zone), start=start,
        duration_minutes=_duration(event, start, default_zone), title=_title(event),
        cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED")


def parse_calendar(data: bytes, default_zone: str) -> ParsedCalendar:
    """The file's events; CalendarFileError when it is not an iCalendar file with events."""
    data = data.replace(b"\x00", b"")  # no calendar needs NUL, and PostgreSQL can't store it in text
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # the parser raises many kinds on broken input; any means "not readable"
        raise CalendarFileError(f"This is not an iCalendar (.ics) file that can be read: {exc}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise CalendarFileError("This is not an iCalendar (.ics) file: it has no VCALENDAR.")
    vevents = [c for c in calendar.walk("VEVENT")]
    if not vevents:
        raise CalendarFileError("The file holds no events (VEVENT).")
    if len(vevents) > MAX_EVENTS:
        raise CalendarFileError(f"The file holds {len(vevents)} events; import at most {MAX_EVENTS} at once.")
    events: dict[str, ImportedEvent] = {}
    changed: dict[str, list[tuple[str, Event]]] = {}
    skipped: list[tuple[str, str]] = []
    for event in vevents:
        title = _title(event)
        if event.get("UID") is None or event.get("DTSTART") is None:
            skipped.append((title, "it has no UID or no start"))
            continue
        uid = str(event["UID"])[:255]
        if event.get("RECURRENCE-ID") is not None:
            changed.setdefault(uid, []).append((title, event))
            continue
        if uid in events:
            skipped.append((title, "another event in the file has the same UID"))
            continue
        try:
            events[uid] = _master(event, default_zone)
        except SkipEvent as exc:
            skipped.append((title, str(exc)))
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            skipped.append((title, f"it can't be read ({exc})"))
    for uid, overrides in changed.items():
        master = events.get(uid)
        for title, event in overrides:
            try:
                occurrence = _occurrence(event, default_zone)
            except SkipEvent as exc:
                skipped.append((title, f"a changed occurrence: {exc}"))
                continue
            if master is not None and master.rule:
                master.occurrences.append(occurrence)
            elif not occurrence.cancelled:  # an occurrence without its series: a meeting of its own
                try:
                    alone = _master(event, default_zone)
                except SkipEvent as exc:
                    skipped.append((title, str(exc)))
                    continue
                alone.uid = f"{uid}/{occurrence.recurrence_id:%Y%m%dT%H%M%SZ}"[:255]
                events[alone.uid] = alone
    return ParsedCalendar(list(events.values()), skipped)
