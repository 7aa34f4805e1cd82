"""Webhooks in the browser (team settings) and through the JSON API: team admins only, the secret
shown once, bad input explained, test events and the delivery log."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from meetings.models import Meeting, OutboxMessage, Team, Webhook
from tests.conftest import post_form, sign_in


@pytest.fixture
def platform(db, demo):
    with db.session() as session:
        return session.scalars(select(Team.id).where(Team.name == "Platform")).one()


def _api(client, method, path, token, **kwargs):
    return client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


@pytest.fixture
def token(maya):
    response = post_form(maya, "/settings/tokens", {"token_name": "hooks"}, token_from="/settings")
    return re.search(r'<code class="token" id="new-token">([^<]+)</code>', response.text).group(1)


def test_team_admin_adds_a_webhook_and_sees_the_secret_once(maya, db, platform, receiver):
    page = maya.get(f"/teams/{platform}")
    assert f'href="/teams/{platform}/webhooks"' in page.text
    response = post_form(maya, f"/teams/{platform}/webhooks",
                         {"name": "Slack #platform", "url": receiver.url, "payload_format": "slack",
                          "events": ["meeting.created", "action_item.completed"], "is_active": "on"},
                         token_from=f"/teams/{platform}/webhooks")
    assert response.status_code == 201
    shown = BeautifulSoup(response.text, "html.parser").find(id="webhook-secret").text
    with db.session() as session:
        hook = session.scalars(select(Webhook)).one()
        assert (hook.secret, hook.payload_format, hook.events) == (shown, "slack",
                                                                  "meeting.created action_item.completed")
    assert shown.startswith("whsec_")
    assert shown not in maya.get(f"/teams/{platform}/webhooks/{hook.id}").text
    assert shown not in maya.get(f"/teams/{platform}/webhooks").text
    renewed = post_form(maya, f"/teams/{platform}/webhooks/{hook.id}/secret", {}, token_from="/settings")
    new = BeautifulSoup(renewed.text, "html.parser").find(id="webhook-secret").text
    assert new != shown and new.startswith("whsec_")


def test_bad_input_is_explained_and_nothing_saved(maya, db, platform):
    response = post_form(maya, f"/teams/{platform}/webhooks",
                         {"name": "Chat", "url": "ftp://chat.example.com/in", "payload_format": "json"},
                         token_from="/settings")
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find(id="f-url")["value"] == "ftp://chat.example.com/in"
    assert soup.find(id="f-name")["value"] == "Chat"
    assert "Only http:// and https://" in soup.find(id="f-url-error").text
    assert "Choose at least one event" in soup.find(id="f-events-error").text
    with db.session() as session:
        assert session.scalars(select(Webhook)).all() == []


def test_test_event_and_delivery_log(maya, db, platform, receiver):
    response = post_form(maya, f"/teams/{platform}/webhooks",
                         {"url": receiver.url, "payload_format": "json", "events": "meeting.created",
                          "is_active": "on"}, token_from="/settings")
    receiver.secret = BeautifulSoup(response.text, "html.parser").find(id="webhook-secret").text
    with db.session() as session:
        hook_id = session.scalars(select(Webhook.id)).one()
    pinged = post_form(maya, f"/teams/{platform}/webhooks/{hook_id}/ping", {}, token_from="/settings")
    assert pinged.status_code == 303
    assert receiver.events == ["ping"] and receiver.received[0].signature_ok
    page = BeautifulSoup(maya.get(pinged.headers["location"]).text, "html.parser")
    row = page.find("caption", string=re.compile("latest deliveries")).find_parent("table").tbody.tr
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert cells[0] == "ping" and cells[2] == "Sent" and cells[3] == "1"

    changed = post_form(maya, f"/teams/{platform}/webhooks/{hook_id}",
                        {"url": receiver.url, "payload_format": "teams", "events": ["meeting.ended"]},
                        token_from="/settings")
    assert changed.status_code == 303
    with db.session() as session:
        hook = session.get(Webhook, hook_id)
        assert (hook.payload_format, hook.events, hook.is_active) == ("teams", "meeting.ended", False)
    assert post_form(maya, f"/teams/{platform}/webhooks/{hook_id}/delete", {},
                     token_from="/settings").status_code == 303
    with db.session() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all() == []


def test_members_who_do_not_manage_the_team_are_refused(client, demo, platform):
    sign_in(client, "leo@example.com")
    assert client.get(f"/teams/{platform}/webhooks").status_code == 403
    assert f'href="/teams/{platform}/webhooks"' not in client.get(f"/teams/{platform}").text


def test_changes_made_in_the_pages_are_queued(maya, db, platform):
    post_form(maya, f"/teams/{platform}/webhooks", {"url": "https://hooks.example.com/in", "payload_format": "json",
                                                    "events": ["action_item.created"], "is_active": "on"},
              token_from="/settings")
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id).where(Meeting.title == "Sprint 42 planning")).one()
    response = post_form(maya, f"/meetings/{meeting_id}/action-items", {"title": "Write the release notes"},
                         token_from=f"/meetings/{meeting_id}")
    assert response.status_code == 303
    with db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
    assert (row.kind, row.subject, row.status.value) == ("action_item.created", "Write the release notes", "pending")


def test_webhooks_through_the_api(maya, token, db, platform, receiver):
    created = _api(maya, "POST", f"/api/v1/teams/{platform}/webhooks", token,
                   json={"name": "ops", "url": receiver.url, "events": ["meeting.created", "meeting.ended"]})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["payload_format"] == "json" and body["is_active"] is True
    receiver.secret = body["secret"]
    hook = body["id"]
    listed = _api(maya, "GET", f"/api/v1/teams/{platform}/webhooks", token).json()
    assert [w["id"] for w in listed] == [hook] and "secret" not in listed[0]
    assert "secret" not in _api(maya, "GET", f"/api/v1/teams/{platform}/webhooks/{hook}", token).json()

    bad = _api(maya, "PATCH", f"/api/v1/teams/{platform}/webhooks/{hook}", token,
               json={"url": "file:///etc/passwd", "events": "meeting.created", "is_active": "yes"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"events", "is_active"}
    bad = _api(maya, "PATCH", f"/api/v1/teams/{platform}/webhooks/{hook}", token, json={"url": "file:///etc/passwd"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"url"}
    ok = _api(maya, "PATCH", f"/api/v1/teams/{platform}/webhooks/{hook}", token, json={"payload_format": "slack"})
    assert ok.json()["payload_format"] == "slack" and ok.json()["events"] == ["meeting.created", "meeting.ended"]

    pinged = _api(maya, "POST", f"/api/v1/teams/{platform}/webhooks/{hook}/ping", token)
    assert pinged.status_code == 202 and pinged.json()["event"] == "ping"
    assert receiver.events == ["ping"] and receiver.received[0].signature_ok
    assert "text" in receiver.received[0].json  # Slack's shape
    log = _api(maya, "GET", f"/api/v1/teams/{platform}/webhooks/{hook}/deliveries", token).json()
    assert [(d["event"], d["status"], d["attempts"]) for d in log] == [("ping", "sent", 1)]

    with db.session() as session:
        product = session.scalars(select(Team.id).where(Team.name == "Product")).one()
    assert _api(maya, "GET", f"/api/v1/teams/{product}/webhooks/{hook}", token).status_code == 404
    assert _api(maya, "DELETE", f"/api/v1/teams/{platform}/webhooks/{hook}", token).status_code == 204
    assert _api(maya, "GET", f"/api/v1/teams/{platform}/webhooks/{hook}", token).status_code == 404
