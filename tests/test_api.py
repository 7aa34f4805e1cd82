"""The JSON API: personal tokens (shown once, stored hashed, revocable) and the same operations as the pages."""

import hashlib
import re

import pytest
from sqlalchemy import select

from meetings.models import ApiToken, Team, User
from tests.conftest import post_form


@pytest.fixture
def token(maya, db):
    """Maya's API token, created in the browser."""
    response = post_form(maya, "/settings/tokens", {"token_name": "CLI"}, token_from="/settings")
    assert response.status_code == 200
    raw = re.search(r'<code class="token" id="new-token">([^<]+)</code>', response.text).group(1)
    return raw


def _api(client, method, path, token, **kwargs):
    return client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_token_is_shown_once_and_stored_hashed(maya, db, token):
    assert token.startswith("mtg_")
    with db.session() as session:
        stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in maya.get("/settings").text


def test_bearer_token_reaches_the_api(client, token):
    client.cookies.clear()
    response = _api(client, "GET", "/api/v1/me", token)
    assert response.status_code == 200
    assert response.json()["email"] == "maya@example.com"


def test_the_api_ignores_session_cookies(maya):
    response = maya.get("/api/v1/me")  # signed in by cookie, but no token
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_and_made_up_tokens_fail(maya, db, token):
    with db.session() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    assert post_form(maya, f"/settings/tokens/{token_id}/revoke", {}, token_from="/settings").status_code == 303
    assert _api(maya, "GET", "/api/v1/me", token).status_code == 401
    assert _api(maya, "GET", "/api/v1/me", "mtg_made-up").status_code == 401


def test_token_lifecycle_through_the_api(client, token):
    created = _api(client, "POST", "/api/v1/tokens", token, json={"name": "Jira sync"})
    assert created.status_code == 201
    second = created.json()["token"]
    listed = _api(client, "GET", "/api/v1/tokens", second).json()
    assert {t["name"] for t in listed} == {"CLI", "Jira sync"}
    assert all("token" not in t for t in listed)
    assert _api(client, "DELETE", f"/api/v1/tokens/{created.json()['id']}", token).status_code == 204
    assert _api(client, "GET", "/api/v1/me", second).status_code == 401


def test_profile_through_the_api(client, token):
    bad = _api(client, "PATCH", "/api/v1/me", token, json={"time_zone": "Nowhere/Land", "name": 5})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"name": "Must be a string."}
    bad = _api(client, "PATCH", "/api/v1/me", token, json={"time_zone": "Nowhere/Land"})
    assert set(bad.json()["errors"]) == {"time_zone"}
    ok = _api(client, "PATCH", "/api/v1/me", token, json={"time_zone": "America/Chicago"})
    assert ok.json()["time_zone"] == "America/Chicago"


def test_meetings_through_the_api(client, db, token):
    meetings = _api(client, "GET", "/api/v1/meetings", token).json()
    titles = [m["title"] for m in meetings]
    assert titles == ["Maya / Leo 1-on-1", "Sprint 42 planning", "Q3 roadmap review"]
    detail = _api(client, "GET", f"/api/v1/meetings/{meetings[1]['id']}", token).json()
    assert [s["title"] for s in detail["sections"]] == ["Sprint goal", "Capacity", "Backlog"]
    assert _api(client, "GET", "/api/v1/meetings?when=someday", token).status_code == 422
    assert _api(client, "GET", "/api/v1/meetings/999999", token).status_code == 404


def test_teams_and_users_through_the_api(client, db, token):
    created = _api(client, "POST", "/api/v1/teams", token, json={"name": "Data"})
    assert created.status_code == 201
    team_id = created.json()["id"]
    assert _api(client, "POST", "/api/v1/teams", token, json={"name": "data"}).status_code == 422
    renamed = _api(client, "PATCH", f"/api/v1/teams/{team_id}", token, json={"name": "Data Science"})
    assert renamed.json()["name"] == "Data Science"
    invited = _api(client, "POST", f"/api/v1/teams/{team_id}/invitations", token,
                   json={"email": "analyst@example.com", "role": "manager"})
    assert invited.status_code == 201 and invited.json()["email"] == "analyst@example.com"
    with db.session() as session:
        leo = session.scalars(select(User).where(User.email == "leo@example.com")).one()
        platform = session.scalars(select(Team.id).where(Team.name == "Platform")).one()
    role = _api(client, "PATCH", f"/api/v1/teams/{platform}/members/{leo.id}", token, json={"role": "manager"})
    assert {m["user_id"]: m["role"] for m in role.json()["members"]}[leo.id] == "manager"
    assert _api(client, "DELETE", f"/api/v1/teams/{platform}/members/{leo.id}", token).status_code == 204
    users = _api(client, "GET", "/api/v1/users", token).json()
    assert len(users) == 5
    patched = _api(client, "PATCH", f"/api/v1/users/{leo.id}", token, json={"manager_id": None, "is_admin": True})
    assert patched.json()["is_admin"] is True and patched.json()["manager_id"] is None




def test_templates_and_scheduling_through_the_api(client, db, token):
    templates = _api(client, "GET", "/api/v1/templates", token).json()
    assert {"one-on-one", "sprint-planning"} <= {t["key"] for t in templates}
    one = _api(client, "GET", "/api/v1/templates/one-on-one", token).json()
    assert one["sections"][0]["title"] == "Check-in" and one["source"].startswith("#")
    with db.session() as session:
        leo = session.scalars(select(User.id).where(User.email == "leo@example.com")).one()
        platform = session.scalars(select(Team.id).where(Team.name == "Platform")).one()
    bad = _api(client, "POST", "/api/v1/meetings", token, json={"template": "one-on-one", "date": "soon"})
    assert bad.status_code == 422 and {"date", "time"} <= set(bad.json()["errors"])
    created = _api(client, "POST", "/api/v1/meetings", token, json={
        "template": "one-on-one", "team_id": platform, "attendee_ids": [leo], "date": "2026-04-01",
        "time": "16:00", "time_zone": "Europe/Berlin", "visibility": "private",
        "repeat": {"frequency": "weekly", "interval": 2, "ends": "after", "count": 6},
    })
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["title"] == "Maya Chen / Leo Park 1-on-1" and meeting["starts_at"] == "2026-04-01T14:00:00+00:00"
    ended = _api(client, "POST", f"/api/v1/meetings/{meeting['id']}/end", token)
    assert ended.json()["next_meeting"]["starts_at"] == "2026-04-15T14:00:00+00:00"
    assert _api(client, "POST", f"/api/v1/meetings/{ended.json()['next_meeting']['id']}/cancel",
                token).status_code == 204


@pytest.mark.parametrize("body", [{}, [], "text", {
    "name": "nul\u0000", "title": "\u0000", "email": "\u0000@x", "time_zone": "\u0000", "date": "2026-02-30",
    "time": "25:61", "duration_minutes": -1, "attendee_ids": ["x"], "team_id": "x", "url": "\u0000",
    "events": [None], "payload_format": 7, "ics": "\u0000", "role": None, "is_admin": "yes", "status": {},
    "repeat": {"frequency": "hourly"}, "visibility": [], "template": {"a": 1}, "current_password": 5,
}])
def test_no_api_route_answers_bad_input_with_a_500(client, app, token, body):
    """Bad JSON (wrong types, NUL characters PostgreSQL refuses, not an object at all) is a 4xx."""
    for route in app.routes:
        for method in sorted(set(getattr(route, "methods", ())) - {"GET", "HEAD", "OPTIONS"}):
            if not route.path.startswith("/api/v1"):
                continue
            path = re.sub(r"\{[a-z_]+:int\}", "1", route.path)
            response = _api(client, method, path, token, json=body)
            assert response.status_code < 500, f"{method} {path} answered {response.status_code}: {response.text}"


def test_a_nul_character_in_json_is_refused_but_a_written_backslash_u0000_is_text(client, token):
    refused = client.post("/api/v1/tokens", content=b'{"name": "a\\u0000b"}',
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert refused.status_code == 422 and "NUL" in refused.text
    kept = _api(client, "POST", "/api/v1/tokens", token, json={"name": "literally \\u0000"})
    assert kept.status_code == 201 and kept.json()["name"] == "literally \\u0000"
