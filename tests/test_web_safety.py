"""CSRF on every state-changing form, strict security headers, private pages never cached."""

import pytest
from litestar.testing import TestClient

from meetings.app import create_app
from meetings.settings import Settings
from tests.conftest import DEMO_PASSWORD, csrf_token, sign_in


def _form_routes(app):
    """Every non-API route that accepts a state-changing method, with sample path values."""
    found = []
    for route in app.routes:
        methods = set(getattr(route, "methods", ())) - {"GET", "HEAD", "OPTIONS"}
        # The API takes bearer tokens only; unsubscribe links are signed and must take mail clients'
        # one-click posts (RFC 8058), which carry no CSRF token.
        if not methods or route.path.startswith(("/api/", "/unsubscribe/")):
            continue
        path = route.path
        for name, value in (("{meeting_id:int}", "1"), ("{team_id:int}", "1"), ("{user_id:int}", "2"),
                            ("{token_id:int}", "1"), ("{token:str}", "x"), ("{series_id:int}", "1"),
                            ("{key:str}", "one-on-one"), ("{item_id:int}", "1"), ("{action_id:int}", "1"),
                            ("{decision_id:int}", "1"), ("{section_id:int}", "1"),
                            ("{message_id:int}", "1"), ("{webhook_id:int}", "1")):
            path = path.replace(name, value)
        found.extend((method, path) for method in sorted(methods))
    return found


def test_every_form_route_refuses_a_post_without_a_csrf_token(maya, app):
    routes = _form_routes(app)
    assert len(routes) >= 15
    for method, path in routes:
        response = maya.request(method, path, data={"name": "x"}, follow_redirects=False)
        assert response.status_code == 403, f"{method} {path} accepted a request without a CSRF token"
    assert maya.get("/", follow_redirects=False).status_code == 200  # and nothing signed Maya out


def test_a_token_from_another_browser_is_refused(client, app, demo):
    other = TestClient(app)
    foreign = csrf_token(other)
    csrf_token(client)
    response = client.post("/signin", data={"email": "leo@example.com", "password": DEMO_PASSWORD,
                                            "_csrf_token": foreign}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/", "/signin", "/meetings", "/no-such-page"])
def test_security_headers_on_pages(maya, path):
    headers = maya.get(path, follow_redirects=False).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_cookies_are_secure_when_served_over_https(tmp_path, database_url, demo):
    settings = Settings.from_mapping({"data_dir": tmp_path, "database_url": database_url, "scheduler": False,
                                      "base_url": "https://meet.example.com"})
    with TestClient(create_app(settings), base_url="https://testserver.local") as client:
        page = client.get("/signin")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        sign_in(client, "leo@example.com")
        session_cookie = next(c for c in client.cookies.jar if c.name == "meetings_session")
        assert session_cookie.secure


def test_get_requests_change_nothing(maya, db):
    """Signing out, revoking or removing need a POST: their URLs do nothing on GET."""
    for path in ("/signout", "/settings/tokens/1/revoke", "/teams/1/members/2/remove"):
        assert maya.get(path, follow_redirects=False).status_code in {404, 405}
    assert maya.get("/", follow_redirects=False).status_code == 200


GARBAGE = {
    "name": "x" * 5000, "title": "nul\x00byte", "description": "\x00", "body": "\x00" * 3, "email": "not an email",
    "date": "2026-02-30", "time": "25:61", "duration_minutes": "-1", "user_id": "abc", "meeting_id": "abc",
    "agenda_item_id": "abc", "assignee_id": "abc", "version": "x", "status": "nope", "state": "nope",
    "answer": "nope", "lead_hours": "1e9", "kinds": "nope", "time_zone": "Mars/Base", "digest_weekday": "-3",
    "quiet_hours_start": "noon", "role": "king", "direction": "sideways", "position": "-9",
    "frequency": "hourly", "interval": "0", "count": "x", "until": "yesterday", "ends": "sometimes",
    "from_date": "2026-13-01", "due_date": "31/12/2026", "url": "javascript:alert(1)", "events": "nope",
    "payload_format": "xml", "source": "[[[", "ids": "x", "decision": "\x00", "token_name": "\x00",
}


@pytest.mark.parametrize("body", ["empty", "garbage"])
def test_no_form_route_answers_bad_input_with_a_500(maya, app, body):
    """Bad input never produces a 500: every form route, an empty body and nonsense in every field
    (including NUL characters, which PostgreSQL refuses to store)."""
    routes = [(m, p) for m, p in _form_routes(app) if p != "/signout"]
    for method, path in routes:
        data = {} if body == "empty" else GARBAGE
        response = maya.request(method, path, data={**data, "_csrf_token": csrf_token(maya, "/")},
                                follow_redirects=False)
        assert response.status_code < 500, f"{method} {path} answered {response.status_code}"
