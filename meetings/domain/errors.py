"""Domain exceptions; the web layer maps them to HTTP answers in one place (web/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class NotFoundError(DomainError):
    """The object does not exist, or the actor may not know that it exists."""


class ValidationError(DomainError):
    """Input that breaks a rule. ``errors`` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class ForbiddenError(DomainError):
    """The actor can see the object but may not do this to it."""


class ConflictError(DomainError):
    """Someone else changed the object since the actor loaded it; nothing was written.

    ``current`` describes the value now stored, so the later writer can see it and decide.
    """

    def __init__(self, message: str, current: str = "") -> None:
        super().__init__(message)
        self.current = current
