"""Accounts: first admin, sign-in and out, rate limits, password reset, invitations, profile."""

import json
import re

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from meetings.models import Invitation, OutboxMessage, TeamMembership, User, UserSession
from tests.conftest import DEMO_PASSWORD, csrf_token, post_form, sign_in


def _page(response):
    return BeautifulSoup(response.text, "html.parser")


def _field_error(response, name):
    node = _page(response).select_one(f"#f-{name}-error")
    return node.get_text() if node else None


def _last_email(db, recipient):
    with db.session() as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
        ).first()
    return row


def _link(message, path):
    return re.search(rf"http://127\.0\.0\.1:8000({path}/\S+)", json.loads(message.payload)["text"]).group(1)


def _user_count(db):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(User))


# --- the first admin ---------------------------------------------------------------------------

def test_a_new_workspace_sends_visitors_to_set_it_up(client):
    response = client.get("/", follow_redirects=True)
    assert _page(response).h1.get_text() == "Set up your workspace"


def test_first_sign_up_creates_the_admin_and_signs_in(client, db):
    response = post_form(client, "/signup", {
        "workspace": "Acme", "name": "Ada Admin", "email": "ada@acme.test", "password": "correct horse",
        "time_zone": "Europe/Berlin",
    })
    assert response.status_code == 303
    assert "meetings_session" in response.headers["set-cookie"]
    with db.session() as session:
        user = session.scalars(select(User)).one()
    assert (user.email, user.is_admin, user.time_zone) == ("ada@acme.test", True, "Europe/Berlin")
    assert user.password_hash.startswith("$argon2id$")
    assert "Ada Admin" in client.get("/").text


def test_bad_first_sign_up_keeps_what_was_typed_and_saves_nothing(client, db):
    response = post_form(client, "/signup", {
        "workspace": "Acme", "name": "Ada", "email": "not-an-email", "password": "short", "time_zone": "Mars/Base",
    })
    assert response.status_code == 400
    assert _field_error(response, "email").startswith("Enter a valid email address")
    assert _field_error(response, "password") == "Use at least 8 characters."
    assert _field_error(response, "time_zone").startswith("Choose a time zone")
    page = _page(response)
    assert page.select_one("#f-name")["value"] == "Ada"
    assert page.select_one("#f-email")["value"] == "not-an-email"
    assert page.select_one("#f-email")["aria-invalid"] == "true"
    assert not page.select_one("#f-password").has_attr("value")
    assert _user_count(db) == 0


def test_password_longer_than_128_is_refused(client, db):
    response = post_form(client, "/signup", {
        "workspace": "Acme", "name": "Ada", "email": "ada@acme.test", "password": "x" * 129, "time_zone": "UTC",
    })
    assert _field_error(response, "password") == "Use at most 128 characters."


def test_once_someone_exists_sign_up_is_by_invitation(client, demo, db):
    assert "Sign-up is by invitation" in client.get("/signup").text
    before = _user_count(db)
    response = post_form(client, "/signup", {"email": "intruder@example.com"})
    assert response.status_code == 400
    assert _user_count(db) == before


# --- sign in and out ---------------------------------------------------------------------------

def test_wrong_password_and_unknown_email_get_the_same_answer(client, demo):
    answers = []
    for email, password in (("leo@example.com", "wrong password"), ("nobody@example.com", "wrong password")):
        response = post_form(client, "/signin", {"email": email, "password": password})
        answers.append((response.status_code, _page(response).select_one("#form-error").get_text()))
    assert answers[0] == answers[1] == (400, "The email address or the password is not right.")


def test_sign_in_starts_a_fresh_session_and_sign_out_ends_it(client, demo, db):
    sign_in(client, "leo@example.com")
    first = client.cookies.get("meetings_session")
    sign_in(client, "leo@example.com")
    second = client.cookies.get("meetings_session")
    assert first != second
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UserSession)) == 1  # the old one ended
    response = post_form(client, "/signout", {}, token_from="/")
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    client.cookies.set("meetings_session", second)  # replaying the old cookie does not work
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin?next=%2F"


def test_session_cookie_is_httponly_and_samesite_lax(client, demo):
    response = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(client, demo):
    assert client.get("/teams", follow_redirects=False).headers["location"] == "/signin?next=%2Fteams"
    ok = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD, "next": "/teams"})
    assert ok.headers["location"] == "/teams"
    evil = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD,
                                          "next": "//evil.example/"})
    assert evil.headers["location"] == "/"


def test_sessions_expire_after_inactivity(client, demo, clock):
    sign_in(client, "leo@example.com")
    clock.advance(days=29)
    assert client.get("/", follow_redirects=False).status_code == 200  # activity slides the expiry
    clock.advance(days=31)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_too_many_failures_block_the_account_for_a_while(client, demo, clock):
    for _ in range(5):
        post_form(client, "/signin", {"email": "leo@example.com", "password": "guess"})
    blocked = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes" in blocked.text
    assert _page(blocked).select_one("#f-email")["value"] == "leo@example.com"
    clock.advance(minutes=16)
    assert post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD}).status_code == 303


def test_too_many_failures_from_one_address_block_it(client, demo):
    for n in range(20):
        post_form(client, "/signin", {"email": f"someone{n}@example.com", "password": "guess"})
    response = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 429


def test_a_deactivated_user_cannot_sign_in(client, demo, db):
    with db.session() as session:
        session.scalars(select(User).where(User.email == "leo@example.com")).one().is_active = False
    response = post_form(client, "/signin", {"email": "leo@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 400


# --- password reset ------------------------------------------------------------------------------

def test_password_reset_by_emailed_link_works_once(client, demo, db, clock):
    other = client.__class__(client.app)  # another browser, signed in before the reset
    sign_in(other, "leo@example.com")
    response = post_form(client, "/password/forgot", {"email": "LEO@example.com"})
    assert "If an account exists for" in response.text
    message = _last_email(db, "leo@example.com")
    assert message.kind == "password_reset" and message.subject == "Reset your Meetings password"
    link = _link(message, "/password/reset")
    page = client.get(link)
    assert page.status_code == 200
    mismatch = post_form(client, link, {"password": "new password 1", "password_again": "new password 2"})
    assert _field_error(mismatch, "password_again") == "The two passwords are not the same."
    done = post_form(client, link, {"password": "new password 1", "password_again": "new password 1"})
    assert done.status_code == 303
    assert other.get("/", follow_redirects=False).status_code == 303  # other sessions ended
    assert client.get(link).status_code == 410  # single use
    client.cookies.clear()
    sign_in(client, "leo@example.com", "new password 1")


def test_password_reset_links_expire(client, demo, db, clock):
    post_form(client, "/password/forgot", {"email": "leo@example.com"})
    link = _link(_last_email(db, "leo@example.com"), "/password/reset")
    clock.advance(minutes=61)
    response = client.get(link)
    assert response.status_code == 410
    assert "expired or was already used" in response.text


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, demo, db):
    known = post_form(client, "/password/forgot", {"email": "leo@example.com"})
    unknown = post_form(client, "/password/forgot", {"email": "nobody@example.com"})
    strip = lambda r: _page(r).select_one("[role=status]").get_text().replace("leo", "X").replace("nobody", "X")  # noqa: E731
    assert strip(known) == strip(unknown)
    assert _last_email(db, "nobody@example.com") is None


# --- invitations -------------------------------------------------------------------------------------

def _invite(maya, db, email, team_name="Platform", role="member"):
    with db.session() as session:
        from meetings.models import Team
        team_id = session.scalar(select(Team.id).where(Team.name == team_name))
    response = post_form(maya, f"/teams/{team_id}/invitations", {"email": email, "role": role}, token_from="/")
    assert response.status_code == 303, response.text
    return team_id, _link(_last_email(db, email), "/invitations")


def test_invitation_creates_an_account_in_the_team(maya, app, db):
    team_id, link = _invite(maya, db, "newbie@example.com")
    message = _last_email(db, "newbie@example.com")
    assert message.subject == "Maya Chen invited you to Platform"
    guest = maya.__class__(app)
    form = guest.get(link)
    assert "newbie@example.com" in form.text
    bad = post_form(guest, link, {"name": "", "password": "short", "time_zone": "Europe/Paris"}, token_from=link)
    assert _field_error(bad, "name") == "Enter a name."
    assert _page(bad).select_one("#f-time_zone option[selected]")["value"] == "Europe/Paris"
    done = post_form(guest, link, {"name": "New Bie", "password": "long enough", "time_zone": "Europe/Paris"},
                     token_from=link)
    assert done.status_code == 303
    with db.session() as session:
        user = session.scalars(select(User).where(User.email == "newbie@example.com")).one()
        assert session.scalar(select(TeamMembership.team_id).where(TeamMembership.user_id == user.id)) == team_id
    assert "New Bie" in guest.get("/").text
    assert guest.get(link).status_code == 410  # used


def test_expired_invitation_is_refused(maya, app, db, clock):
    _, link = _invite(maya, db, "late@example.com")
    clock.advance(days=8)
    guest = maya.__class__(app)
    assert guest.get(link).status_code == 410


def test_invitation_for_an_existing_account_is_accepted_after_signing_in(maya, app, db):
    _, link = _invite(maya, db, "sam@example.com")  # Sam is in Product, not Platform
    guest = maya.__class__(app)
    assert "You already have an account" in guest.get(link).text
    sign_in(guest, "sam@example.com")
    assert post_form(guest, link, {}, token_from=link).status_code == 303
    assert "Platform" in guest.get("/teams").text


def test_open_sign_up_for_a_domain(maya, app, db):
    assert post_form(maya, "/admin/workspace", {"domain": "@Example.org"}, token_from="/").status_code == 303
    guest = maya.__class__(app)
    assert "@example.org" in guest.get("/signup").text
    wrong = post_form(guest, "/signup", {"email": "someone@other.org"})
    assert wrong.status_code == 400
    ok = post_form(guest, "/signup", {"email": "joiner@example.org"})
    assert "Check your inbox" in ok.text
    assert _last_email(db, "joiner@example.org").kind == "invitation"


def test_open_sign_up_with_an_existing_address_answers_the_same(maya, app, db):
    post_form(maya, "/admin/workspace", {"domain": "example.com"}, token_from="/")
    guest = maya.__class__(app)
    existing = post_form(guest, "/signup", {"email": "leo@example.com"})
    new = post_form(guest, "/signup", {"email": "fresh@example.com"})
    assert existing.status_code == new.status_code == 200
    assert _page(existing).h1.get_text() == _page(new).h1.get_text() == "Check your inbox"
    assert _last_email(db, "leo@example.com").kind == "account_exists"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.email == "leo@example.com")) == 0


# --- profile and password ---------------------------------------------------------------------------

def test_profile_change(maya, db):
    response = post_form(maya, "/settings/profile", {"name": "Maya C.", "email": "maya.chen@example.com",
                                                     "time_zone": "Asia/Tokyo"}, token_from="/settings")
    assert response.status_code == 303
    with db.session() as session:
        user = session.scalars(select(User).where(User.email == "maya.chen@example.com")).one()
    assert (user.name, user.time_zone) == ("Maya C.", "Asia/Tokyo")


def test_profile_change_to_a_taken_email_changes_nothing(maya, db):
    response = post_form(maya, "/settings/profile", {"name": "Renamed", "email": "leo@example.com",
                                                     "time_zone": "UTC"}, token_from="/settings")
    assert response.status_code == 400
    assert _field_error(response, "email") == "This email address can't be used. Choose another."
    assert _page(response).select_one("#f-name")["value"] == "Renamed"
    with db.session() as session:
        assert session.scalars(select(User.name).where(User.email == "maya@example.com")).one() == "Maya Chen"


def test_password_change_needs_the_current_password(maya):
    wrong = post_form(maya, "/settings/password", {"current_password": "nope", "new_password": "another one",
                                                   "new_password_again": "another one"}, token_from="/settings")
    assert _field_error(wrong, "current_password") == "This is not your current password."
    ok = post_form(maya, "/settings/password", {"current_password": DEMO_PASSWORD, "new_password": "another one",
                                                "new_password_again": "another one"}, token_from="/settings")
    assert ok.status_code == 303
    maya.cookies.clear()
    sign_in(maya, "maya@example.com", "another one")


def test_csrf_token_helper_reads_the_form(client, demo):
    assert len(csrf_token(client)) > 20
