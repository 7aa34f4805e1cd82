"""Signing up, in and out; invitations; password reset. Pages anyone may open."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import accounts
from meetings.domain.errors import ValidationError
from meetings.domain.sessions import end_session, start_session
from meetings.domain.users import time_zone_names
from meetings.models import User
from meetings.settings import Settings
from meetings.web.auth import SESSION_COOKIE, cleared_session_cookie, safe_next, session_cookie
from meetings.web.forms import FormData, field, form_error
from meetings.web.mail import deliver_soon


def _signed_in(request: Request[Any, Any, Any], session: Session, user: User, now: datetime, to: str) -> Redirect:
    settings: Settings = request.app.state.settings
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        end_session(session, old)  # a fresh session id at every sign-in
    raw = start_session(session, user, now, timedelta(days=settings.session_days))
    return Redirect(safe_next(to), status_code=303, cookies=[session_cookie(settings, raw)])


def _zones() -> list[str]:
    return sorted(time_zone_names())


class AccountController(Controller):
    """Pages for people who are not signed in (yet)."""

    include_in_schema = False

    @get("/signin", name="signin", sync_to_thread=True)
    def signin_page(
        self, db_session: NamedDependency[Session], next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template | Redirect:
        """The sign-in form (or the first-run sign-up when nobody has an account yet)."""
        if accounts.workspace_is_new(db_session):
            return Redirect("/signup", status_code=303)
        return Template("accounts/signin.html", context={"next": safe_next(next_), "errors": {}, "values": {}})

    @post("/signin", sync_to_thread=True)
    def signin(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        data: FormData,
    ) -> Template | Redirect:
        """Check the credentials and start a session."""
        address = request.client.host if request.client else "unknown"
        try:
            user = accounts.sign_in(db_session, email=field(data, "email"), password=field(data, "password"),
                                    address=address, now=now)
        except accounts.SignInError as exc:
            status = 429 if "Too many" in str(exc) else 400
            return form_error("accounts/signin.html", {"next": safe_next(field(data, "next"))},
                              {"form": str(exc)}, data, status)
        return _signed_in(request, db_session, user, now, field(data, "next"))

    @post("/signout", sync_to_thread=True)
    def signout(self, request: Request[Any, Any, Any], db_session: NamedDependency[Session]) -> Redirect:
        """End this browser's session."""
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            end_session(db_session, raw)
        return Redirect("/signin", status_code=303, cookies=[cleared_session_cookie(request.app.state.settings)])

    @get("/signup", name="signup", sync_to_thread=True)
    def signup_page(self, db_session: NamedDependency[Session]) -> Template:
        """First run: create the workspace. Later: open sign-up when an admin allows a domain."""
        first = accounts.workspace_is_new(db_session)
        domain = None if first else accounts.workspace(db_session).open_signup_domain
        return Template("accounts/signup.html",
                        context={"first": first, "domain": domain, "zones": _zones(), "errors": {}, "values": {}})

    @post("/signup", sync_to_thread=True)
    def signup(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        data: FormData,
    ) -> Template | Redirect:
        """Create the first admin, or mail an open sign-up link."""
        first = accounts.workspace_is_new(db_session)
        try:
            if first:
                user = accounts.sign_up_first_admin(
                    db_session, email=field(data, "email"), name=field(data, "name"),
                    password=field(data, "password"), time_zone=field(data, "time_zone"),
                    workspace_name=field(data, "workspace"),
                )
                return _signed_in(request, db_session, user, now, "/")
            accounts.request_open_sign_up(db_session, request.app.state.email_composer, field(data, "email"), now)
        except ValidationError as exc:
            domain = None if first else accounts.workspace(db_session).open_signup_domain
            return form_error("accounts/signup.html", {"first": first, "domain": domain, "zones": _zones()},
                              exc.errors, data)
        return Template("accounts/check_inbox.html", context={"email": field(data, "email").strip()},
                        background=deliver_soon(request.app, now))

    @get("/invitations/{token:str}", name="invitation", sync_to_thread=True)
    def invitation_page(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        current_user: NamedDependency[User | None], token: FromPath[str],
    ) -> Template:
        """Accept an invitation: a new account, or joining with the account one has."""
        try:
            invitation = accounts.open_invitation(db_session, token, now)
        except accounts.LinkError as exc:
            return Template("accounts/link_error.html", context={"message": str(exc)}, status_code=410)
        existing = accounts.invited_user(db_session, invitation)
        return Template("accounts/invitation.html", context={
            "invitation": invitation, "existing": existing, "current_user": current_user, "token": token,
            "zones": _zones(), "errors": {}, "values": {"time_zone": "UTC"},
        })

    @post("/invitations/{token:str}", sync_to_thread=True)
    def accept_invitation(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        current_user: NamedDependency[User | None], token: FromPath[str], data: FormData,
    ) -> Template | Redirect:
        """Create the account (or join with the signed-in one) and go to the dashboard."""
        try:
            if current_user is not None:
                accounts.accept_invitation_signed_in(db_session, token, current_user, now)
                return Redirect("/", status_code=303)
            user = accounts.accept_invitation_new_account(
                db_session, token, name=field(data, "name"), password=field(data, "password"),
                time_zone=field(data, "time_zone"), now=now,
            )
        except accounts.LinkError as exc:
            return Template("accounts/link_error.html", context={"message": str(exc)}, status_code=410)
        except ValidationError as exc:
            invitation = accounts.open_invitation(db_session, token, now)
            return form_error("accounts/invitation.html", {
                "invitation": invitation, "existing": None, "current_user": None, "token": token, "zones": _zones(),
            }, exc.errors, data)
        return _signed_in(request, db_session, user, now, "/")

    @get("/password/forgot", name="password_forgot", sync_to_thread=False)
    def forgot_page(self) -> Template:
        """Ask for a password-reset link."""
        return Template("accounts/forgot.html", context={"errors": {}, "values": {}})

    @post("/password/forgot", sync_to_thread=True)
    def forgot(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        data: FormData,
    ) -> Template:
        """Mail a reset link if the address has an account; the answer is the same either way."""
        email = field(data, "email").strip()
        if not email:
            return form_error("accounts/forgot.html", {}, {"email": "Enter your email address."}, data)
        accounts.request_password_reset(db_session, request.app.state.email_composer, email, now)
        return Template("accounts/check_inbox.html", context={"email": email, "reset": True},
                        background=deliver_soon(request.app, now))

    @get("/password/reset/{token:str}", name="password_reset", sync_to_thread=True)
    def reset_page(self, db_session: NamedDependency[Session], now: NamedDependency[datetime],
                   token: FromPath[str]) -> Template:
        """Choose a new password through an emailed link."""
        try:
            accounts.open_password_reset(db_session, token, now)
        except accounts.LinkError as exc:
            return Template("accounts/link_error.html", context={"message": str(exc)}, status_code=410)
        return Template("accounts/reset.html", context={"token": token, "errors": {}, "values": {}})

    @post("/password/reset/{token:str}", sync_to_thread=True)
    def reset(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[Session], now: NamedDependency[datetime],
        token: FromPath[str], data: FormData,
    ) -> Template | Redirect:
        """Set the new password, end every other session, and sign in."""
        if field(data, "password") != field(data, "password_again"):
            return form_error("accounts/reset.html", {"token": token},
                              {"password_again": "The two passwords are not the same."}, data)
        try:
            user = accounts.reset_password(db_session, token, field(data, "password"), now)
        except accounts.LinkError as exc:
            return Template("accounts/link_error.html", context={"message": str(exc)}, status_code=410)
        except ValidationError as exc:
            return form_error("accounts/reset.html", {"token": token}, exc.errors, data)
        return _signed_in(request, db_session, user, now, "/")
