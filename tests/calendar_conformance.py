"""RFC 5545 checks that every calendar the app produces must pass (invitations, feeds, downloads),
and occurrences expanded by a maintained library (recurring-ical-events) to compare with the app's.

``problems(ics)`` lists what breaks a rule, in words; ``assert_conforms(ics)`` fails a test with them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import Calendar

TIME_PROPERTIES = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE")
METHODS_NEEDING_ORGANIZER = {"REQUEST", "CANCEL", "ADD", "DECLINECOUNTER"}


def _listed(component, name):  # type: ignore[no-untyped-def]
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _tzids(component) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    for name in TIME_PROPERTIES:
        for prop in _listed(component, name):
            tzid = prop.params.get("TZID")
            if tzid:
                found.add(str(tzid))
    return found


def _check_rrule(label: str, event, out: list[str]) -> None:  # type: ignore[no-untyped-def]
    rules = _listed(event, "RRULE")
    if len(rules) > 1:
        out.append(f"{label}: more than one RRULE")
    for rule in rules:
        text = rule.to_ical().decode()
        parts = dict(p.split("=", 1) for p in text.split(";"))
        if "COUNT" in parts and "UNTIL" in parts:
            out.append(f"{label}: RRULE has both COUNT and UNTIL")
        start = event.get("DTSTART")
        if "UNTIL" in parts and start is not None:
            until = parts["UNTIL"]
            if isinstance(start.dt, datetime):
                if (start.params.get("TZID") or start.dt.tzinfo is not None) and not until.endswith("Z"):
                    out.append(f"{label}: UNTIL {until} is not in UTC although DTSTART has a zone")
            elif "T" in until:
                out.append(f"{label}: UNTIL {until} is a date-time but DTSTART is a date")


def _rule_starts(master) -> object:  # type: ignore[no-untyped-def]
    rule = master["RRULE"].to_ical().decode()
    return rrulestr(rule, dtstart=master.decoded("DTSTART"))


def problems(ics: bytes | str) -> list[str]:
    """Every broken rule in ``ics``; empty when it conforms."""
    out: list[str] = []
    calendar = Calendar.from_ical(ics)
    if str(calendar.get("VERSION", "")) != "2.0":
        out.append("VCALENDAR: VERSION is not 2.0")
    if not calendar.get("PRODID"):
        out.append("VCALENDAR: no PRODID")
    method = str(calendar.get("METHOD", "")).upper()
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for tzid in zones:
        try:
            ZoneInfo(tzid)
        except (ZoneInfoNotFoundError, ValueError):
            out.append(f"VTIMEZONE {tzid!r} is not a valid (IANA) time zone")
    masters: dict[str, object] = {}
    overrides: dict[str, list] = defaultdict(list)
    for component in [*calendar.walk("VEVENT"), *calendar.walk("VTODO")]:
        uid = str(component.get("UID", ""))
        label = f"{component.name} {uid or '(no UID)'}"
        if not uid:
            out.append(f"{label}: no UID")
        stamp = component.get("DTSTAMP")
        if stamp is None:
            out.append(f"{label}: no DTSTAMP")
        elif not stamp.to_ical().endswith(b"Z"):
            out.append(f"{label}: DTSTAMP is not in UTC")
        for tzid in _tzids(component) - zones:
            out.append(f"{label}: TZID {tzid!r} has no VTIMEZONE")
        if component.name != "VEVENT":
            continue
        if component.get("DTSTART") is None:
            out.append(f"{label}: no DTSTART")
            continue
        if component.get("DTEND") is not None and component.decoded("DTEND") <= component.decoded("DTSTART"):
            out.append(f"{label}: DTEND is not after DTSTART")
        _check_rrule(label, component, out)
        if method:
            if method in METHODS_NEEDING_ORGANIZER and component.get("ORGANIZER") is None:
                out.append(f"{label}: METHOD:{method} without ORGANIZER")
            if method == "REQUEST" and not _listed(component, "ATTENDEE"):
                out.append(f"{label}: METHOD:REQUEST without ATTENDEE")
            if component.get("SEQUENCE") is None:
                out.append(f"{label}: an invitation without SEQUENCE")
        if component.get("RECURRENCE-ID") is not None:
            overrides[uid].append(component)
        elif uid in masters:
            out.append(f"{label}: two events with one UID (only overrides with RECURRENCE-ID may share it)")
        else:
            masters[uid] = component
    for uid, changed in overrides.items():
        ids = [c.decoded("RECURRENCE-ID") for c in changed]
        if len(set(ids)) != len(ids):
            out.append(f"VEVENT {uid}: two overrides for one RECURRENCE-ID")
        master = masters.get(uid)
        if master is None:
            if method != "CANCEL":  # a CANCEL of one occurrence names it without its series
                out.append(f"VEVENT {uid}: override without its series in the calendar")
            continue
        if master.get("RRULE") is None:
            out.append(f"VEVENT {uid}: override of an event that does not repeat")
            continue
        starts = _rule_starts(master)
        for rid in ids:
            if not starts.between(rid - timedelta(seconds=1), rid + timedelta(seconds=1), inc=True):
                out.append(f"VEVENT {uid}: RECURRENCE-ID {rid} is not an occurrence of its series")
        exdates = {d.dt for prop in _listed(master, "EXDATE") for d in prop.dts}
        for rid in ids:
            if rid in exdates:
                out.append(f"VEVENT {uid}: RECURRENCE-ID {rid} overrides an excluded occurrence")
    return out


def assert_conforms(ics: bytes | str) -> None:
    """Fail with every problem found."""
    found = problems(ics)
    assert not found, "calendar breaks RFC 5545:\n  " + "\n  ".join(found)


def expanded(ics: bytes | str, start: datetime | date, end: datetime | date) -> list[tuple[str, datetime, datetime]]:
    """(UID, start, end) in UTC of each timed occurrence between ``start`` and ``end``, as
    recurring-ical-events expands them (RRULE, EXDATE, RECURRENCE-ID overrides, cancellations)."""
    calendar = Calendar.from_ical(ics)
    events = recurring_ical_events.of(calendar).between(start, end)
    found = []
    for event in events:
        if str(event.get("STATUS", "")).upper() == "CANCELLED" or not isinstance(event.decoded("DTSTART"), datetime):
            continue  # cancelled, or an all-day event (never a meeting)
        found.append((str(event["UID"]), event.decoded("DTSTART").astimezone(UTC),
                      event.decoded("DTEND").astimezone(UTC)))
    return sorted(found, key=lambda row: (row[1], row[0]))
