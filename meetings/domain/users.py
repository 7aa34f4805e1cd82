"""Users: creation and the checks every way of creating one shares."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetings.domain.errors import ValidationError
from meetings.models import User

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254


def normalize_email(email: str) -> str:
    """Emails are compared without surrounding spaces and case."""
    return email.strip().lower()


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this system knows (from the tzdata package when installed)."""
    return frozenset(available_timezones() | {"UTC"})


def is_valid_time_zone(name: str) -> bool:
    """True for an IANA time zone name such as ``Europe/Berlin``."""
    if name not in time_zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate_user_fields(session: Session, email: str, name: str, time_zone: str) -> dict[str, str]:
    """Field errors for a new user's email, name and time zone (empty when all are fine)."""
    errors: dict[str, str] = {}
    email = normalize_email(email)
    if not email:
        errors["email"] = "Enter an email address."
    elif len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter a valid email address, like name@example.com."
    elif session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        errors["email"] = "A user with this email address already exists."
    if not name.strip():
        errors["name"] = "Enter a name."
    elif len(name.strip()) > MAX_NAME_LENGTH:
        errors["name"] = f"Use at most {MAX_NAME_LENGTH} characters."
    if not is_valid_time_zone(time_zone):
        errors["time_zone"] = "Choose a time zone from the list, like Europe/Berlin or America/New_York."
    return errors


def create_user(
    session: Session, *, email: str, name: str, time_zone: str = "UTC", is_admin: bool = False
) -> User:
    """Create a user, or raise ValidationError naming each bad field (nothing is written then)."""
    errors = validate_user_fields(session, email, name, time_zone)
    if errors:
        raise ValidationError(errors)
    user = User(email=normalize_email(email), name=name.strip(), time_zone=time_zone, is_admin=is_admin)
    session.add(user)
    session.flush()
    return user
