"""Accounts: the first admin, invitations, open sign-up, sign-in, password reset and profile changes.

No answer here tells a visitor whether an email address has an account: sign-in failures share one
message, and open sign-up and password reset always answer "check your inbox".
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetings.domain.errors import DomainError, ValidationError
from meetings.domain.opaque_tokens import hash_token, issue_token
from meetings.domain.outbox import EmailComposer, queue_email
from meetings.domain.passwords import hash_password, needs_rehash, password_problem, verify_password
from meetings.domain.sessions import (
    clear_sign_in_failures,
    end_all_sessions,
    record_sign_in_failure,
    sign_in_rate_limit,
)
from meetings.domain.users import (
    EMAIL_PATTERN,
    MAX_EMAIL_LENGTH,
    create_user,
    normalize_email,
    validate_user_fields,
)
from meetings.models import Invitation, PasswordReset, TeamMembership, TeamRole, User, Workspace

INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
WRONG_CREDENTIALS = "The email address or the password is not right."


class LinkError(DomainError):
    """An invitation or reset link that is unknown, expired or already used."""


class SignInError(DomainError):
    """Sign-in refused; the message is safe to show."""


def workspace_is_new(session: Session) -> bool:
    """True until the first person has signed up."""
    return not session.scalar(select(func.count()).select_from(User))


def workspace(session: Session) -> Workspace:
    """The workspace row, created on first use."""
    row = session.scalar(select(Workspace).limit(1))
    if row is None:
        row = Workspace(name="Meetings")
        session.add(row)
        session.flush()
    return row


def _new_account_errors(session: Session, email: str, name: str, password: str, time_zone: str) -> dict[str, str]:
    errors = validate_user_fields(session, email, name, time_zone)
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    return errors


def sign_up_first_admin(
    session: Session, *, email: str, name: str, password: str, time_zone: str, workspace_name: str
) -> User:
    """The first person to sign up creates the workspace and becomes its admin."""
    if not workspace_is_new(session):
        raise ValidationError({"form": "This workspace already exists. Ask an admin for an invitation."})
    errors = _new_account_errors(session, email, name, password, time_zone)
    if not workspace_name.strip():
        errors["workspace"] = "Name your workspace, e.g. your company's name."
    if errors:
        raise ValidationError(errors)
    workspace(session).name = workspace_name.strip()[:120]
    user = create_user(session, email=email, name=name, time_zone=time_zone, is_admin=True)
    user.password_hash = hash_password(password)
    return user


def create_invitation(
    session: Session, composer: EmailComposer, *, email: str, team_id: int | None, role: TeamRole,
    invited_by: User, now: datetime, team_name: str | None = None,
) -> Invitation:
    """Invite ``email`` to the workspace (and a team) by email; the link works once, for a week."""
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError({"email": "Enter a valid email address, like name@example.com."})
    raw, token_hash = issue_token()
    invitation = Invitation(email=email, team_id=team_id, role=role, invited_by_id=invited_by.id,
                            token_hash=token_hash, created_at=now, expires_at=now + INVITATION_LIFETIME)
    _send_invitation(session, composer, invitation, raw, invited_by.name, team_name, now)
    return invitation


def _send_invitation(
    session: Session, composer: EmailComposer, invitation: Invitation, raw: str,
    inviter: str | None, team_name: str | None, now: datetime,
) -> None:
    session.add(invitation)
    session.flush()
    queue_email(
        session, composer, key=f"invitation:{invitation.id}", kind="invitation", recipient=invitation.email,
        user_id=None, template="invitation", now=now,
        context={"inviter": inviter, "team": team_name, "link": f"{composer.base_url}/invitations/{raw}",
                 "workspace": workspace(session).name, "expires_days": INVITATION_LIFETIME.days},
    )


def request_open_sign_up(session: Session, composer: EmailComposer, email: str, now: datetime) -> None:
    """Open sign-up for the admin-chosen email domain: mail a sign-up link, or, to an address that
    already has an account, a reminder to sign in. The visitor sees the same answer either way."""
    email = normalize_email(email)
    domain = workspace(session).open_signup_domain
    if not domain or not email.endswith("@" + domain):
        raise ValidationError({"email": "Sign-up is by invitation. Ask a workspace admin to invite you."})
    existing = session.scalar(select(User).where(User.email == email))
    if existing is not None:
        queue_email(session, composer, key=f"signup-exists:{existing.id}:{now:%Y%m%d%H}", kind="account_exists",
                    recipient=email, user_id=existing.id, template="account_exists", now=now,
                    context={"name": existing.name, "link": f"{composer.base_url}/signin"})
        return
    raw, token_hash = issue_token()
    invitation = Invitation(email=email, team_id=None, role=TeamRole.MEMBER, invited_by_id=None,
                            token_hash=token_hash, created_at=now, expires_at=now + INVITATION_LIFETIME)
    _send_invitation(session, composer, invitation, raw, None, None, now)


def open_invitation(session: Session, raw: str, now: datetime) -> Invitation:
    """The invitation behind a link, if it can still be used."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(raw)))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise LinkError("This invitation link has expired or was already used. Ask for a new invitation.")
    return invitation


def invited_user(session: Session, invitation: Invitation) -> User | None:
    """The existing account of the invited address, if there is one."""
    return session.scalar(select(User).where(User.email == invitation.email))


def _join(session: Session, invitation: Invitation, user: User, now: datetime) -> None:
    invitation.accepted_at = now
    if invitation.team_id is not None:
        already = session.scalar(select(TeamMembership).where(
            TeamMembership.team_id == invitation.team_id, TeamMembership.user_id == user.id))
        if already is None:
            session.add(TeamMembership(team_id=invitation.team_id, user_id=user.id, role=invitation.role))


def accept_invitation_new_account(
    session: Session, raw: str, *, name: str, password: str, time_zone: str, now: datetime
) -> User:
    """Create the invited person's account and add them to the team they were invited to."""
    invitation = open_invitation(session, raw, now)
    errors = _new_account_errors(session, invitation.email, name, password, time_zone)
    if "email" in errors:  # the address got an account since the invitation was sent
        raise LinkError("This address already has an account. Sign in to accept the invitation.")
    if errors:
        raise ValidationError(errors)
    user = create_user(session, email=invitation.email, name=name, time_zone=time_zone)
    user.password_hash = hash_password(password)
    _join(session, invitation, user, now)
    return user


def accept_invitation_signed_in(session: Session, raw: str, user: User, now: datetime) -> None:
    """A signed-in person accepts an invitation sent to their own address."""
    invitation = open_invitation(session, raw, now)
    if invitation.email != user.email:
        raise LinkError("This invitation was sent to another email address. Sign out and sign in as its owner.")
    _join(session, invitation, user, now)


def sign_in(session: Session, *, email: str, password: str, address: str, now: datetime) -> User:
    """Check the credentials, within the rate limit per account and per client address."""
    email = normalize_email(email)
    limit = sign_in_rate_limit(session, email, address, now)
    if limit.blocked:
        minutes = max(1, math.ceil(limit.retry_after.total_seconds() / 60))
        raise SignInError(f"Too many failed attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} "
                          "and try again, or reset your password.")
    user = session.scalar(select(User).where(User.email == email))
    # Verify even without an account, so that the answer takes as long either way.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not password_ok:
        record_sign_in_failure(session, email, address, now)
        raise SignInError(WRONG_CREDENTIALS)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    clear_sign_in_failures(session, email)
    return user


def request_password_reset(session: Session, composer: EmailComposer, email: str, now: datetime) -> None:
    """Mail a single-use reset link when the address has an active account; answer the same either way."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.is_active:
        return
    raw, token_hash = issue_token()
    reset = PasswordReset(user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + RESET_LIFETIME)
    session.add(reset)
    session.flush()
    queue_email(session, composer, key=f"password-reset:{reset.id}", kind="password_reset", recipient=user.email,
                user_id=user.id, template="password_reset", now=now,
                context={"name": user.name, "link": f"{composer.base_url}/password/reset/{raw}",
                         "expires_minutes": int(RESET_LIFETIME.total_seconds() // 60)})


def open_password_reset(session: Session, raw: str, now: datetime) -> PasswordReset:
    """The reset behind a link, if it can still be used."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(raw)))
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise LinkError("This reset link has expired or was already used. Ask for a new one.")
    return reset


def reset_password(session: Session, raw: str, password: str, now: datetime) -> User:
    """Set a new password through a reset link; every other session of the user ends."""
    reset = open_password_reset(session, raw, now)
    problem = password_problem(password)
    if problem:
        raise ValidationError({"password": problem})
    user = session.get(User, reset.user_id)
    assert user is not None
    user.password_hash = hash_password(password)
    reset.used_at = now
    end_all_sessions(session, user.id)
    return user


def update_profile(session: Session, user: User, *, name: str, email: str, time_zone: str) -> None:
    """Change name, email and time zone together, or nothing when any is wrong."""
    errors: dict[str, str] = {}
    new_email = normalize_email(email)
    if new_email != user.email:
        errors.update({k: v for k, v in validate_user_fields(session, new_email, name, time_zone).items()})
        if errors.get("email", "").startswith("A user with"):
            errors["email"] = "This email address can't be used. Choose another."
    else:
        errors.update({k: v for k, v in validate_user_fields(session, "", name, time_zone).items() if k != "email"})
    if errors:
        raise ValidationError(errors)
    user.name, user.email, user.time_zone = name.strip(), new_email, time_zone


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Change the password, given the current one."""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "This is not your current password."
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationError(errors)
    user.password_hash = hash_password(new)
