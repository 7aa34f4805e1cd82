"""Server-side sign-in sessions and the sign-in rate limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from meetings.domain.opaque_tokens import hash_token, issue_token
from meetings.models import SignInFailure, User, UserSession

# Refreshing last_seen on every request would write on every page view; once in a while is enough.
LAST_SEEN_GRANULARITY = timedelta(minutes=5)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def start_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session for ``user``; returns the cookie value (a fresh id at every sign-in)."""
    raw, token_hash = issue_token()
    session.add(UserSession(token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now,
                            expires_at=now + lifetime))
    return raw


def user_for_session(session: Session, raw: str, now: datetime, lifetime: timedelta) -> User | None:
    """The active user behind a cookie value, sliding its expiry forward; None when invalid."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(raw)))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        row.expires_at = now + lifetime
    return user


def end_session(session: Session, raw: str) -> None:
    """Sign out: the cookie value stops working at once."""
    session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(raw)))


def end_all_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a password reset, or when an admin deactivates them)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


@dataclass(frozen=True)
class RateLimit:
    """Sign-in is blocked for ``retry_after`` when too many attempts failed recently."""

    blocked: bool
    retry_after: timedelta = timedelta(0)


def sign_in_rate_limit(session: Session, email: str, address: str, now: datetime) -> RateLimit:
    """Whether another sign-in attempt for this account or from this address may be made now."""
    since = now - FAILURE_WINDOW
    for key, limit in ((f"account:{email}", MAX_FAILURES_PER_ACCOUNT), (f"address:{address}", MAX_FAILURES_PER_ADDRESS)):
        count, oldest = session.execute(
            select(func.count(), func.min(SignInFailure.created_at)).where(
                SignInFailure.key == key, SignInFailure.created_at > since
            )
        ).one()
        if count >= limit:
            return RateLimit(True, oldest + FAILURE_WINDOW - now)
    return RateLimit(False)


def record_sign_in_failure(session: Session, email: str, address: str, now: datetime) -> None:
    """Count a failed attempt against the account and the address; prune what is too old to matter."""
    session.add_all([SignInFailure(key=f"account:{email}", created_at=now),
                     SignInFailure(key=f"address:{address}", created_at=now)])
    session.execute(delete(SignInFailure).where(SignInFailure.created_at < now - FAILURE_WINDOW))


def clear_sign_in_failures(session: Session, email: str) -> None:
    """A successful sign-in forgives the account's earlier failures."""
    session.execute(delete(SignInFailure).where(SignInFailure.key == f"account:{email}"))
