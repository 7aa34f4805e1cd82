"""Each person's reminder choices: which kinds, quiet hours, digest day; and one-click unsubscribing.

A missing preference row means the defaults (everything on, digest on Mondays, no quiet hours), so
nobody needs a row until they change something. Unsubscribe links carry a signed token (user and
kind) so they work from any mail client without signing in, and never expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from meetings.domain.errors import ValidationError
from meetings.domain.users import time_zone_names
from meetings.models import NotificationPreference, User

# The reminder kinds a person can switch off, in the order the settings page lists them.
KINDS: dict[str, str] = {
    "pre_meeting": "Before a meeting: add your topics",
    "action_item_due": "An action item of yours is due today",
    "action_item_overdue": "An action item of yours is overdue",
    "digest": "Weekly digest of your team's and reports' action items (managers)",
    "recap": "Recap after a meeting ends",
}
ALL = "all"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_SALT = "unsubscribe"


def preferences_of(session: Session, user_id: int) -> NotificationPreference:
    """The person's row, or an unsaved one holding the defaults."""
    pref = session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id, pre_meeting=True, action_item_due=True,
                                      action_item_overdue=True, digest=True, recap=True, digest_weekday=0,
                                      unsubscribed_all=False)
    return pref


@dataclass(frozen=True)
class PreferenceChoice:
    """What the settings form sends: the kinds switched on, and texts for the rest."""

    kinds: frozenset[str]
    digest_weekday: str
    quiet_hours_start: str
    quiet_hours_end: str
    time_zone: str


def _time(value: str, name: str, errors: dict[str, str]) -> time | None:
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        errors[name] = "Enter a time like 21:00."
        return None


def update_preferences(session: Session, user: User, choice: PreferenceChoice) -> NotificationPreference:
    """Save the choices (all or nothing); a ValidationError names each bad field."""
    errors: dict[str, str] = {}
    unknown = choice.kinds - KINDS.keys()
    if unknown:
        errors["kinds"] = "Choose from the list."
    if not choice.digest_weekday.isdigit() or not 0 <= int(choice.digest_weekday) <= 6:
        errors["digest_weekday"] = "Choose a day of the week."
    start = _time(choice.quiet_hours_start, "quiet_hours_start", errors)
    end = _time(choice.quiet_hours_end, "quiet_hours_end", errors)
    if (start is None) != (end is None) and "quiet_hours_start" not in errors and "quiet_hours_end" not in errors:
        errors["quiet_hours_end" if start else "quiet_hours_start"] = "Give both ends of the quiet hours, or neither."
    elif start is not None and start == end:
        errors["quiet_hours_end"] = "The quiet hours must end at another time than they start."
    if choice.time_zone not in time_zone_names():
        errors["time_zone"] = "Choose a time zone from the list."
    if errors:
        raise ValidationError(errors)
    pref = preferences_of(session, user.id)
    for kind in KINDS:
        setattr(pref, kind, kind in choice.kinds)
    pref.digest_weekday = int(choice.digest_weekday)
    pref.quiet_hours_start, pref.quiet_hours_end = start, end
    pref.unsubscribed_all = False  # saving the page is an explicit choice of what to receive
    user.time_zone = choice.time_zone
    session.add(pref)
    session.flush()
    return pref


def quiet_until(pref: NotificationPreference | None, time_zone: str, now: datetime) -> datetime | None:
    """When the person's quiet hours around ``now`` end (UTC), or None when ``now`` is not in them.

    Quiet hours may span midnight (21:00-07:00). They are wall-clock times in the person's zone, so
    they follow daylight-saving changes.
    """
    if pref is None or pref.quiet_hours_start is None or pref.quiet_hours_end is None:
        return None
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    start, end, clock = pref.quiet_hours_start, pref.quiet_hours_end, local.time().replace(tzinfo=None)
    spans_midnight = start > end
    inside = (start <= clock or clock < end) if spans_midnight else (start <= clock < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if spans_midnight and clock >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def unsubscribe_token(secret_key: str, user_id: int, kind: str) -> str:
    """A signed, URL-safe token that unsubscribes ``user_id`` from ``kind`` (or from all reminders)."""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps([user_id, kind])


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token stands for, or None when it is forged, altered or malformed."""
    try:
        user_id, kind = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (kind not in KINDS and kind != ALL):
        return None
    return user_id, kind


def unsubscribe(session: Session, user_id: int, kind: str) -> None:
    """Stop ``kind`` (or every reminder) for the person; doing it twice changes nothing."""
    pref = preferences_of(session, user_id)
    if kind == ALL:
        pref.unsubscribed_all = True
    else:
        setattr(pref, kind, False)
    session.add(pref)
    session.flush()
