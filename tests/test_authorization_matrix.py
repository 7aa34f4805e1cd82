"""Every route in the app, for every kind of person, against every kind of meeting.

A route missing from MATRIX fails ``test_every_route_is_in_the_matrix``: no new route can slip past
the authorization rules. Expected outcomes:
  ok        the request is served (any answer but 401/403/404 or a redirect to sign in)
  signin    pages redirect to /signin, the API answers 401
  forbidden 403: the person may see the object but not change it
  notfound  404: the person may not know the object exists
  public    anyone may open it (never a 5xx)
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from meetings.app import create_app
from meetings.db import Database
from meetings.migrate import upgrade
from meetings.models import Base
from meetings.settings import Settings
from tests.authz_world import ACTORS, MEETING_KINDS, World, build_world
from tests.conftest import BACKENDS, FIXED_NOW, skip_or_fail


@pytest.fixture(scope="module", params=BACKENDS)
def matrix_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
               migrated_sqlite_template: Any) -> Iterator[tuple[Any, Database]]:
    """One app and database per backend for the whole matrix (building an app takes longer than a
    test); each test wipes the tables and builds its own world."""
    folder = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        shutil.copyfile(migrated_sqlite_template, folder / "matrix.db")
        url = f"sqlite:///{folder / 'matrix.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        if server is None:
            skip_or_fail("PostgreSQL not reachable")
        url = server.create_database("meetings_matrix")
        migrated = Database(url)
        upgrade(migrated.engine)
        migrated.dispose()
    settings = Settings.from_mapping({"data_dir": folder, "database_url": url, "scheduler": False})
    app = create_app(settings, clock=lambda: FIXED_NOW)
    database = Database(url)
    yield app, database
    database.dispose()
    app.state.db.dispose()


@pytest.fixture
def app(matrix_env: tuple[Any, Database]) -> Any:
    return matrix_env[0]


@pytest.fixture
def db(matrix_env: tuple[Any, Database]) -> Database:
    """The matrix database, emptied for this test."""
    database = matrix_env[1]
    with database.engine.begin() as conn:
        if database.backend == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    return database

Rule = Callable[[str, str | None], str]


def signed_in(actor: str, kind: str | None) -> str:
    return "signin" if actor == "anonymous" else "ok"


def public(actor: str, kind: str | None) -> str:
    return "public"


def admin_only(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "admin": "ok"}.get(actor, "forbidden")


def team_visible(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "outsider": "notfound"}.get(actor, "ok")


def team_manager(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "outsider": "notfound", "admin": "ok", "organiser": "ok"}.get(actor, "forbidden")


def meeting_rule(actor: str, kind: str | None) -> str:
    if actor == "anonymous":
        return "signin"
    if actor in {"organiser", "attendee"}:
        return "ok"
    if kind == "team" and actor == "member":
        return "ok"
    return "notfound"  # admins included: they do not read meetings they are not part of


def attendee_only(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "attendee": "ok"}.get(actor, "notfound")


def attendee_or_admin(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "attendee": "ok", "admin": "ok"}.get(actor, "notfound")


def meeting_change(actor: str, kind: str | None) -> str:
    if actor == "anonymous":
        return "signin"
    if actor in {"organiser", "attendee"}:
        return "ok"
    return "forbidden" if kind == "team" and actor == "member" else "notfound"


def team_member_only(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "outsider": "notfound", "admin": "notfound"}.get(actor, "ok")


def template_delete(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "outsider": "notfound", "admin": "notfound", "organiser": "ok"}.get(
        actor, "forbidden")


def series_change(actor: str, kind: str | None) -> str:
    return {"anonymous": "signin", "organiser": "ok", "attendee": "ok", "member": "forbidden"}.get(actor, "notfound")


@dataclass(frozen=True)
class Case:
    rule: Rule
    path: Callable[[World, str | None], str]
    body: Callable[[World, str], dict[str, Any]] = lambda w, actor: {}
    per_meeting: bool = False


def fixed(path: str) -> Callable[[World, str | None], str]:
    return lambda w, kind: path


MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): Case(public, fixed("/healthz")),
    ("GET", "/readyz"): Case(public, fixed("/readyz")),
    ("GET", "/static/{file_path:path}"): Case(public, fixed("/static/app.css")),
    ("GET", "/static/vendor/{file_path:path}"): Case(public, fixed("/static/vendor/sortablejs/Sortable.min.js")),
    ("GET", "/api/schema"): Case(public, fixed("/api/schema")),
    ("GET", "/api/schema/openapi.json"): Case(public, fixed("/api/schema/openapi.json")),
    ("GET", "/api/schema/{path:str}"): Case(public, fixed("/api/schema/openapi.json")),
    # pages
    ("GET", "/"): Case(signed_in, fixed("/")),
    ("GET", "/meetings"): Case(signed_in, fixed("/meetings?view=week&week=2026-03-30")),
    ("GET", "/meetings/{meeting_id:int}"): Case(meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}",
                                                 per_meeting=True),
    ("GET", "/signin"): Case(public, fixed("/signin")),
    ("POST", "/signin"): Case(public, fixed("/signin"), lambda w, a: {"email": "x@w.test", "password": "nope"}),
    ("POST", "/signout"): Case(public, fixed("/signout")),
    ("GET", "/signup"): Case(public, fixed("/signup")),
    ("POST", "/signup"): Case(public, fixed("/signup"), lambda w, a: {"email": "x@w.test"}),
    ("GET", "/invitations/{token:str}"): Case(public, fixed("/invitations/not-a-token")),
    ("POST", "/invitations/{token:str}"): Case(public, fixed("/invitations/not-a-token")),
    ("GET", "/password/forgot"): Case(public, fixed("/password/forgot")),
    ("POST", "/password/forgot"): Case(public, fixed("/password/forgot"), lambda w, a: {"email": "x@w.test"}),
    ("GET", "/password/reset/{token:str}"): Case(public, fixed("/password/reset/not-a-token")),
    ("POST", "/password/reset/{token:str}"): Case(public, fixed("/password/reset/not-a-token")),
    ("GET", "/settings"): Case(signed_in, fixed("/settings")),
    ("POST", "/settings/profile"): Case(signed_in, fixed("/settings/profile"),
                                        lambda w, a: {"name": "Renamed", "email": f"{a}@w.test", "time_zone": "UTC"}),
    ("POST", "/settings/password"): Case(signed_in, fixed("/settings/password"),
                                         lambda w, a: {"current_password": "x", "new_password": "y" * 9}),
    ("POST", "/settings/tokens"): Case(signed_in, fixed("/settings/tokens"), lambda w, a: {"token_name": "t"}),
    ("POST", "/settings/tokens/{token_id:int}/revoke"): Case(
        attendee_only, lambda w, k: f"/settings/tokens/{w.token_ids['attendee']}/revoke"),
    ("GET", "/teams"): Case(signed_in, fixed("/teams")),
    ("POST", "/teams"): Case(admin_only, fixed("/teams"), lambda w, a: {"name": f"New {a}"}),
    ("GET", "/teams/{team_id:int}"): Case(team_visible, lambda w, k: f"/teams/{w.team_a}"),
    ("POST", "/teams/{team_id:int}/rename"): Case(team_manager, lambda w, k: f"/teams/{w.team_a}/rename",
                                                  lambda w, a: {"name": f"Alpha {a}"}),
    ("POST", "/teams/{team_id:int}/invitations"): Case(team_manager, lambda w, k: f"/teams/{w.team_a}/invitations",
                                                       lambda w, a: {"email": "new@w.test", "role": "member"}),
    ("POST", "/teams/{team_id:int}/members/{user_id:int}/role"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/members/{w.users['member']}/role",
        lambda w, a: {"role": "manager"}),
    ("POST", "/teams/{team_id:int}/members/{user_id:int}/remove"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/members/{w.users['member']}/remove"),
    ("GET", "/admin/users"): Case(admin_only, fixed("/admin/users")),
    ("POST", "/admin/users/{user_id:int}"): Case(admin_only, lambda w, k: f"/admin/users/{w.users['member']}",
                                                 lambda w, a: {"is_active": "on", "manager_id": ""}),
    ("POST", "/admin/invitations"): Case(admin_only, fixed("/admin/invitations"), lambda w, a: {"email": "n@w.test"}),
    ("POST", "/admin/workspace"): Case(admin_only, fixed("/admin/workspace"), lambda w, a: {"domain": ""}),
    ("GET", "/teams/{team_id:int}/webhooks"): Case(team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks"),
    ("POST", "/teams/{team_id:int}/webhooks"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks",
        lambda w, a: {"url": "https://hooks.w.test/in", "payload_format": "json", "events": "meeting.created"}),
    ("GET", "/teams/{team_id:int}/webhooks/{webhook_id:int}"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks/{w.webhook_a}"),
    ("POST", "/teams/{team_id:int}/webhooks/{webhook_id:int}"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks/{w.webhook_a}",
        lambda w, a: {"url": "https://hooks.w.test/in", "payload_format": "slack", "events": "meeting.ended"}),
    ("POST", "/teams/{team_id:int}/webhooks/{webhook_id:int}/ping"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks/{w.webhook_a}/ping"),
    ("POST", "/teams/{team_id:int}/webhooks/{webhook_id:int}/secret"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks/{w.webhook_a}/secret"),
    ("POST", "/teams/{team_id:int}/webhooks/{webhook_id:int}/delete"): Case(
        team_manager, lambda w, k: f"/teams/{w.team_a}/webhooks/{w.webhook_a}/delete"),
    ("GET", "/admin/outbox"): Case(admin_only, fixed("/admin/outbox?status=failed")),
    ("POST", "/admin/outbox/{message_id:int}/retry"): Case(
        admin_only, lambda w, k: f"/admin/outbox/{w.message_for_attendee}/retry"),
    ("GET", "/mailbox"): Case(signed_in, fixed("/mailbox")),
    ("GET", "/mailbox/{message_id:int}"): Case(attendee_or_admin, lambda w, k: f"/mailbox/{w.message_for_attendee}"),
    ("GET", "/mailbox/{message_id:int}/invite.ics"): Case(
        attendee_or_admin, lambda w, k: f"/mailbox/{w.message_for_attendee}/invite.ics"),
    ("GET", "/mailbox/{message_id:int}/html"): Case(attendee_or_admin,
                                                    lambda w, k: f"/mailbox/{w.message_for_attendee}/html"),
    ("GET", "/settings/notifications"): Case(signed_in, fixed("/settings/notifications")),
    ("POST", "/settings/notifications"): Case(signed_in, fixed("/settings/notifications"), lambda w, a: {
        "kinds": "recap", "digest_weekday": "1", "time_zone": "UTC"}),
    ("GET", "/unsubscribe/{token:str}"): Case(public, fixed("/unsubscribe/not-a-token")),
    ("POST", "/unsubscribe/{token:str}"): Case(public, fixed("/unsubscribe/not-a-token")),
    ("POST", "/meetings/{meeting_id:int}/items"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/items", lambda w, a: {"title": f"Topic by {a}"},
        per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/items/{item_id:int}"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/items/{w.items[k]}",
        lambda w, a: {"title": "Edited", "version": "1"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/items/{item_id:int}/state"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/items/{w.items[k]}/state",
        lambda w, a: {"state": "discussed"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/items/{item_id:int}/move"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/items/{w.items[k]}/move",
        lambda w, a: {"direction": "down"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/items/{item_id:int}/delete"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/items/{w.items[k]}/delete", per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/sections"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/sections", lambda w, a: {"section_title": "AOB"},
        per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/sections/{section_id:int}/delete"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/sections/{w.sections[k]}/delete", per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/notes"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/notes",
        lambda w, a: {"body": f"notes by {a}", "private": "on", "version": "0"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/action-items"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/action-items", lambda w, a: {"title": "Do it"},
        per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/action-items/{action_id:int}"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/action-items/{w.actions[k]}",
        lambda w, a: {"status": "done"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/decisions"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/decisions", lambda w, a: {"decision": "Yes"},
        per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/decisions/{decision_id:int}/delete"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/decisions/{w.decisions[k]}/delete", per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/start"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/start", per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/next"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/next", per_meeting=True),
    ("GET", "/action-items"): Case(signed_in, fixed("/action-items?view=team&status=all")),
    ("POST", "/action-items/{action_id:int}/status"): Case(
        meeting_rule, lambda w, k: f"/action-items/{w.actions[k]}/status", lambda w, a: {"status": "done"},
        per_meeting=True),
    ("POST", "/action-items/{action_id:int}/reassign"): Case(
        meeting_rule, lambda w, k: f"/action-items/{w.actions[k]}/reassign",
        lambda w, a: {"assignee_id": str(w.users["organiser"])}, per_meeting=True),
    ("GET", "/action-items/export.csv"): Case(signed_in, fixed("/action-items/export.csv?scope=all&status=all")),
    ("GET", "/action-items/export.json"): Case(signed_in, fixed("/action-items/export.json?scope=all&status=all")),
    ("POST", "/action-items/bulk"): Case(
        lambda a, k: meeting_rule(a, "team"), fixed("/action-items/bulk"),
        lambda w, a: {"ids": str(w.actions["team"]), "action": "complete"}),
    ("GET", "/api/v1/action-items"): Case(signed_in, fixed("/api/v1/action-items?scope=all&status=all")),
    ("GET", "/api/v1/action-items/export.csv"): Case(signed_in, fixed("/api/v1/action-items/export.csv?scope=all")),
    ("GET", "/api/v1/action-items/export.json"): Case(signed_in, fixed("/api/v1/action-items/export.json")),
    ("GET", "/meetings/{meeting_id:int}/minutes.md"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/minutes.md", per_meeting=True),
    ("GET", "/meetings/{meeting_id:int}/calendar.ics"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/calendar.ics", per_meeting=True),
    ("GET", "/calendar/{token:str}/feed.ics"): Case(public, fixed("/calendar/cal_not-a-token/feed.ics")),
    ("GET", "/rsvp/{token:str}"): Case(public, fixed("/rsvp/m1.1.not-a-signature")),
    ("POST", "/rsvp/{token:str}"): Case(public, fixed("/rsvp/m1.1.not-a-signature"), lambda w, a: {"answer": "accepted"}),
    ("POST", "/meetings/{meeting_id:int}/rsvp"): Case(
        meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/rsvp", lambda w, a: {"answer": "accepted"},
        per_meeting=True),
    ("GET", "/meetings/import"): Case(signed_in, fixed("/meetings/import")),
    ("POST", "/meetings/import"): Case(signed_in, fixed("/meetings/import"),
                                       lambda w, a: {"file": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}),
    ("POST", "/api/v1/meetings/import"): Case(signed_in, fixed("/api/v1/meetings/import"),
                                              lambda w, a: {"ics": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}),
    ("POST", "/settings/calendar-token"): Case(signed_in, fixed("/settings/calendar-token")),
    ("GET", "/meetings/new"): Case(signed_in, fixed("/meetings/new")),
    ("POST", "/meetings/new"): Case(signed_in, fixed("/meetings/new"), lambda w, a: {"title": ""}),
    ("POST", "/meetings/{meeting_id:int}/end"): Case(meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/end",
                                                     per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/cancel"): Case(
        meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/cancel", per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/attendees"): Case(
        meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/attendees",
        lambda w, a: {"user_id": str(w.users["member"])}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/attendees/{user_id:int}/remove"): Case(
        meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/attendees/{w.users['attendee']}/remove",
        per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/reschedule"): Case(
        meeting_change, lambda w, k: f"/meetings/{w.meetings[k]}/reschedule",
        lambda w, a: {"date": "2026-04-02", "time": "11:00", "duration_minutes": "45"}, per_meeting=True),
    ("POST", "/meetings/{meeting_id:int}/save-as-template"): Case(
        meeting_rule, lambda w, k: f"/meetings/{w.meetings[k]}/save-as-template",
        lambda w, a: {"name": f"Saved by {a}"}, per_meeting=True),
    ("POST", "/series/{series_id:int}/change"): Case(
        series_change, lambda w, k: f"/series/{w.series_id}/change",
        lambda w, a: {"from_date": "2026-04-14", "time": "10:00", "duration_minutes": "30", "frequency": "weekly"}),
    ("POST", "/series/{series_id:int}/reminders"): Case(
        series_change, lambda w, k: f"/series/{w.series_id}/reminders",
        lambda w, a: {"lead_hours": "12", "pre_meeting_reminder": "on"}),
    ("GET", "/templates"): Case(signed_in, fixed("/templates")),
    ("GET", "/templates/{key:str}"): Case(team_member_only, lambda w, k: f"/templates/{w.template_key}"),
    ("GET", "/templates/{key:str}/export"): Case(team_member_only, lambda w, k: f"/templates/{w.template_key}/export"),
    ("GET", "/templates/{key:str}/edit"): Case(team_member_only, lambda w, k: f"/templates/{w.template_key}/edit"),
    ("POST", "/templates/{key:str}/edit"): Case(team_member_only, lambda w, k: f"/templates/{w.template_key}/edit",
                                                lambda w, a: {"source": "name = 'broken"}),
    ("POST", "/templates/{key:str}/delete"): Case(template_delete,
                                                  lambda w, k: f"/templates/{w.template_key}/delete"),
    ("POST", "/templates/{key:str}/copy"): Case(team_member_only, fixed("/templates/one-on-one/copy"),
                                                lambda w, a: {"team_id": str(w.team_a)}),
    ("GET", "/teams/{team_id:int}/templates/new"): Case(team_member_only,
                                                        lambda w, k: f"/teams/{w.team_a}/templates/new"),
    ("POST", "/teams/{team_id:int}/templates"): Case(team_member_only, lambda w, k: f"/teams/{w.team_a}/templates",
                                                     lambda w, a: {"source": "name = 'broken"}),
    ("POST", "/teams/{team_id:int}/templates/import"): Case(
        team_member_only, lambda w, k: f"/teams/{w.team_a}/templates/import", lambda w, a: {"file": "name = 1"}),
    # JSON API
    ("GET", "/api/v1/templates"): Case(signed_in, fixed("/api/v1/templates")),
    ("GET", "/api/v1/templates/{key:str}"): Case(team_member_only, lambda w, k: f"/api/v1/templates/{w.template_key}"),
    ("POST", "/api/v1/meetings"): Case(signed_in, fixed("/api/v1/meetings"), lambda w, a: {"date": "soon"}),
    ("POST", "/api/v1/meetings/{meeting_id:int}/end"): Case(
        meeting_change, lambda w, k: f"/api/v1/meetings/{w.meetings[k]}/end", per_meeting=True),
    ("POST", "/api/v1/meetings/{meeting_id:int}/cancel"): Case(
        meeting_change, lambda w, k: f"/api/v1/meetings/{w.meetings[k]}/cancel", per_meeting=True),
    ("GET", "/api/v1/me"): Case(signed_in, fixed("/api/v1/me")),
    ("PATCH", "/api/v1/me"): Case(signed_in, fixed("/api/v1/me"), lambda w, a: {"name": "Renamed"}),
    ("POST", "/api/v1/me/password"): Case(signed_in, fixed("/api/v1/me/password"),
                                          lambda w, a: {"current_password": "x", "new_password": "y" * 9}),
    ("GET", "/api/v1/tokens"): Case(signed_in, fixed("/api/v1/tokens")),
    ("POST", "/api/v1/tokens"): Case(signed_in, fixed("/api/v1/tokens"), lambda w, a: {"name": "t"}),
    ("DELETE", "/api/v1/tokens/{token_id:int}"): Case(
        attendee_only, lambda w, k: f"/api/v1/tokens/{w.token_ids['attendee']}"),
    ("GET", "/api/v1/meetings"): Case(signed_in, fixed("/api/v1/meetings")),
    ("GET", "/api/v1/meetings/{meeting_id:int}"): Case(
        meeting_rule, lambda w, k: f"/api/v1/meetings/{w.meetings[k]}", per_meeting=True),
    ("GET", "/api/v1/teams"): Case(signed_in, fixed("/api/v1/teams")),
    ("POST", "/api/v1/teams"): Case(admin_only, fixed("/api/v1/teams"), lambda w, a: {"name": f"API {a}"}),
    ("GET", "/api/v1/teams/{team_id:int}"): Case(team_visible, lambda w, k: f"/api/v1/teams/{w.team_a}"),
    ("PATCH", "/api/v1/teams/{team_id:int}"): Case(team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}",
                                                   lambda w, a: {"name": f"Alpha {a}"}),
    ("POST", "/api/v1/teams/{team_id:int}/invitations"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/invitations", lambda w, a: {"email": "n@w.test"}),
    ("PATCH", "/api/v1/teams/{team_id:int}/members/{user_id:int}"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/members/{w.users['member']}",
        lambda w, a: {"role": "manager"}),
    ("DELETE", "/api/v1/teams/{team_id:int}/members/{user_id:int}"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/members/{w.users['member']}"),
    ("GET", "/api/v1/users"): Case(admin_only, fixed("/api/v1/users")),
    ("GET", "/api/v1/teams/{team_id:int}/webhooks"): Case(team_manager,
                                                          lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks"),
    ("POST", "/api/v1/teams/{team_id:int}/webhooks"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks", lambda w, a: {"url": "https://h.w.test/"}),
    ("GET", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}"),
    ("PATCH", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}", lambda w, a: {"name": a}),
    ("DELETE", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}"),
    ("POST", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}/secret"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}/secret"),
    ("GET", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}/deliveries"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}/deliveries"),
    ("POST", "/api/v1/teams/{team_id:int}/webhooks/{webhook_id:int}/ping"): Case(
        team_manager, lambda w, k: f"/api/v1/teams/{w.team_a}/webhooks/{w.webhook_a}/ping"),
    ("PATCH", "/api/v1/users/{user_id:int}"): Case(admin_only, lambda w, k: f"/api/v1/users/{w.users['member']}",
                                                   lambda w, a: {"is_active": True}),
}


def _client(app: Any, world: World, actor: str) -> TestClient[Any]:
    client = TestClient(app)
    if actor != "anonymous":
        client.cookies.set("meetings_session", world.cookies[actor])
    return client


def _request(client: TestClient[Any], world: World, actor: str, method: str, path: str,
             body: dict[str, Any]) -> Any:
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.tokens[actor]}"} if actor != "anonymous" else {}
        if method in {"GET", "DELETE"}:
            return client.request(method, path, headers=headers)
        return client.request(method, path, headers=headers, json=body)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    page = client.get("/signin")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    if "file" in body:  # a file upload: multipart
        files = {"file": ("template.toml", body["file"].encode(), "application/toml")}
        return client.request(method, path, data={"_csrf_token": token}, files=files, follow_redirects=False)
    return client.request(method, path, data={**body, "_csrf_token": token}, follow_redirects=False)


def _outcome(response: Any, path: str) -> str:
    status = response.status_code
    assert status < 500, f"{path} answered {status}"
    if status == 401 or (status in {302, 303} and response.headers["location"].startswith("/signin?")):
        return "signin"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "notfound"
    return "ok"


def test_every_route_is_in_the_matrix(app):
    in_app = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"HEAD", "OPTIONS"}
    }
    missing = sorted(in_app - MATRIX.keys())
    assert not missing, f"routes without an authorization rule in MATRIX: {missing}"
    assert not sorted(MATRIX.keys() - in_app), "MATRIX names routes the app no longer has"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_obeys_the_rules(app, db, route, actor):
    world = build_world(db, FIXED_NOW)
    case = MATRIX[route]
    method = route[0]
    client = _client(app, world, actor)
    for kind in MEETING_KINDS if case.per_meeting else [None]:
        path = case.path(world, kind)
        expected = case.rule(actor, kind)
        got = _outcome(_request(client, world, actor, method, path, case.body(world, actor)), path)
        if expected == "public":
            continue
        assert got == expected, f"{actor} {method} {path} ({kind or '-'}): expected {expected}, got {got}"


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
def test_lists_never_show_what_the_single_view_refuses(app, db, actor):
    world = build_world(db, FIXED_NOW)
    client = _client(app, world, actor)
    allowed = {world.meetings[k] for k in MEETING_KINDS if meeting_rule(actor, k) == "ok"}
    listed_page = {int(i) for i in re.findall(r'href="/meetings/(\d+)"', client.get("/meetings").text)}
    listed_dashboard = {int(i) for i in re.findall(r'href="/meetings/(\d+)"', client.get("/").text)}
    api = client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {world.tokens[actor]}"}).json()
    listed_week = {int(i) for i in re.findall(r'href="/meetings/(\d+)"',
                                              client.get("/meetings?view=week&week=2026-03-30").text)}
    actions_page = client.get("/action-items?view=team&status=all").text + client.get("/action-items?status=all").text
    listed_actions = {int(i) for i in re.findall(r'href="/meetings/(\d+)"', actions_page)}
    assert listed_page == allowed
    assert listed_dashboard <= allowed and listed_week <= allowed and listed_actions <= allowed
    assert {m["id"] for m in api} == allowed


@pytest.mark.parametrize("kind", MEETING_KINDS)
def test_private_notes_are_seen_by_their_author_only(app, db, kind):
    world = build_world(db, FIXED_NOW)
    secret = f"{kind} attendee's private thoughts"
    for actor in ("attendee", "organiser", "member", "admin"):
        client = _client(app, world, actor)
        page = client.get(f"/meetings/{world.meetings[kind]}")
        api = client.get(f"/api/v1/meetings/{world.meetings[kind]}",
                         headers={"Authorization": f"Bearer {world.tokens[actor]}"})
        visible = secret in page.text.replace("&#39;", "'")
        assert visible == (actor == "attendee"), f"{actor} on the {kind} meeting"
        if api.status_code == 200:
            assert (secret in api.text) == (actor == "attendee")
