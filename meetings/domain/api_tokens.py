"""Personal API tokens: shown once when created, stored hashed, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.errors import NotFoundError, ValidationError
from meetings.domain.opaque_tokens import hash_token, issue_token
from meetings.models import ApiToken, User

TOKEN_PREFIX = "mtg_"  # makes a leaked token easy to recognise (and to search for in secret scanners)
MAX_TOKEN_NAME = 120
LAST_USED_GRANULARITY = timedelta(minutes=5)


def create_api_token(session: Session, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; the raw value is returned this once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where you will use it, e.g. “Jira sync”."})
    if len(name) > MAX_TOKEN_NAME:
        raise ValidationError({"name": f"Use at most {MAX_TOKEN_NAME} characters."})
    raw, token_hash = issue_token(TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, created_at=now)
    session.add(token)
    session.flush()
    return token, raw


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_api_token(session: Session, user: User, token_id: int, now: datetime) -> None:
    """Stop a token from working; only its owner can."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFoundError(f"token {token_id}")
    token.revoked_at = now


def user_for_api_token(session: Session, raw: str, now: datetime) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return user
