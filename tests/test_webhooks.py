"""Team webhooks end to end: events emitted by the domain in the change's transaction, signed and
posted to a real HTTP server on a loopback port, retried while it is down, each once and in order
per meeting or action item; Slack and Teams shapes; the overdue scan in the assignee's zone."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from meetings.db import Database
from meetings.domain import webhooks as service
from meetings.domain.access import actor_for
from meetings.domain.action_item_changes import create_action_item, reassign_action_item, set_action_status
from meetings.domain.errors import ValidationError
from meetings.domain.scheduling import MeetingRequest, cancel_occurrence, create_meeting, end_meeting
from meetings.domain.webhook_events import emit
from meetings.domain.webhook_overdue import announce_overdue
from meetings.integrations.webhook_delivery import deliver_webhooks, sign
from meetings.jobs import announce_overdue_items, deliver_webhook_events
from meetings.models import (
    ActionItem,
    Decision,
    OutboxMessage,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Webhook,
)
from tests.conftest import FIXED_NOW
from tests.webhook_receiver import verify

BASE_URL = "https://meet.example.com"


@pytest.fixture
def team(db, receiver):
    """Platform: Leo (manager, Berlin) and Priya (member, New York), with one JSON webhook."""
    with db.session() as session:
        leo = User(email="leo@example.com", name="Leo", time_zone="Europe/Berlin")
        priya = User(email="priya@example.com", name="Priya", time_zone="America/New_York")
        team = Team(name="Platform")
        session.add_all([leo, priya, team])
        session.flush()
        session.add_all([TeamMembership(team_id=team.id, user_id=leo.id, role=TeamRole.MANAGER),
                         TeamMembership(team_id=team.id, user_id=priya.id, role=TeamRole.MEMBER)])
        session.flush()
        hook, secret = service.create_webhook(session, actor_for(session, leo), team.id,
                                              service.WebhookRequest(name="ops", url=receiver.url), FIXED_NOW)
        receiver.secret = secret
        return {"leo": leo.id, "priya": priya.id, "team": team.id, "webhook": hook.id}


def _meeting(db, team, visibility="team", title="Sprint planning", now=FIXED_NOW):
    with db.session() as session:
        leo = session.get(User, team["leo"])
        request = MeetingRequest(team_id=team["team"], title=title, date="2026-03-30", time="10:00",
                                 time_zone="Europe/Berlin", duration_minutes="60", attendee_ids=[team["priya"]],
                                 visibility=visibility)
        return create_meeting(session, actor_for(session, leo), leo, request, now).id


def _as_leo(db, team, change, now=FIXED_NOW):
    with db.session() as session:
        return change(session, actor_for(session, session.get(User, team["leo"])))


def _rows(db):
    with db.session() as session:
        return [(r.kind, r.status.value, r.attempts) for r in
                session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook").order_by(OutboxMessage.id))]


def test_events_arrive_signed_with_their_data(db, team, receiver):
    meeting_id = _meeting(db, team)
    action_id = _as_leo(db, team, lambda s, a: create_action_item(
        s, a, meeting_id, title="Ship <it>", assignee_id=str(team["priya"]), due_date="2026-04-02", now=FIXED_NOW).id)
    _as_leo(db, team, lambda s, a: reassign_action_item(s, a, action_id, str(team["leo"]), now=FIXED_NOW))
    _as_leo(db, team, lambda s, a: set_action_status(s, a, action_id, "done", FIXED_NOW))
    _as_leo(db, team, lambda s, a: set_action_status(s, a, action_id, "done", FIXED_NOW))  # already done: no event
    with db.session() as session:
        session.add(Decision(meeting_id=meeting_id, text="Release on Friday"))
    _as_leo(db, team, lambda s, a: end_meeting(s, a, meeting_id, FIXED_NOW))

    report = deliver_webhooks(db, BASE_URL, FIXED_NOW)

    assert report.sent == 5 and report.retrying == report.failed == 0
    by_type = {r.event: r for r in receiver.received}
    assert [e for e in receiver.events if e.startswith("action_item")] == [
        "action_item.created", "action_item.assigned", "action_item.completed"]  # in order, about one item
    assert [e for e in receiver.events if e.startswith("meeting")] == ["meeting.created", "meeting.ended"]
    assert all(r.signature_ok for r in receiver.received)
    first = by_type["meeting.created"]
    assert first.headers["x-meetings-timestamp"] == str(int(FIXED_NOW.timestamp()))
    assert first.headers["content-type"] == "application/json"
    body = first.json
    assert body["type"] == "meeting.created" and body["id"] == first.headers["x-meetings-event-id"]
    assert body["team"] == {"id": team["team"], "name": "Platform"}
    assert body["data"]["meeting"]["url"] == f"{BASE_URL}/meetings/{meeting_id}"
    assert body["data"]["meeting"]["starts_at"] == "2026-03-30T08:00:00Z"
    created = by_type["action_item.created"].json["data"]["action_item"]
    assert created["title"] == "Ship <it>" and created["assignee"]["name"] == "Priya"
    assert by_type["action_item.assigned"].json["data"]["action_item"]["assignee"]["name"] == "Leo"
    assert by_type["action_item.completed"].json["data"]["action_item"]["status"] == "done"
    recap = by_type["meeting.ended"].json["data"]["recap"]
    assert recap["decisions"] == ["Release on Friday"]
    assert recap["action_items"][0]["url"] == f"{BASE_URL}/meetings/{meeting_id}#action-{action_id}"
    assert deliver_webhooks(db, BASE_URL, FIXED_NOW).sent == 0  # nothing twice


def test_a_tampered_body_fails_the_check():
    good = sign("whsec_x", 1774695600, b'{"a":1}')
    assert verify("whsec_x", "1774695600", b'{"a":1}', good)
    assert not verify("whsec_x", "1774695600", b'{"a":2}', good)
    assert not verify("whsec_x", "1774695601", b'{"a":1}', good)
    assert not verify("whsec_y", "1774695600", b'{"a":1}', good)


def test_only_team_visible_meetings_reach_the_team(db, team, receiver):
    private = _meeting(db, team, visibility="private", title="Leo / Priya")
    attendees = _meeting(db, team, visibility="attendees", title="Hiring")
    for meeting_id in (private, attendees):
        _as_leo(db, team, lambda s, a, m=meeting_id: create_action_item(s, a, m, title="secret", now=FIXED_NOW))
        _as_leo(db, team, lambda s, a, m=meeting_id: end_meeting(s, a, m, FIXED_NOW))
    assert _rows(db) == []
    with db.session() as session:  # without a team, there is nobody to tell either
        leo = session.get(User, team["leo"])
        create_meeting(session, actor_for(session, leo), leo, MeetingRequest(
            team_id=None, title="Solo", date="2026-03-30", time="10:00", duration_minutes="30",
            visibility="attendees"), FIXED_NOW)
    assert _rows(db) == []


def test_subscriptions_and_inactive_webhooks(db, team, receiver):
    with db.session() as session:
        leo = actor_for(session, session.get(User, team["leo"]))
        service.update_webhook(session, leo, team["team"], team["webhook"], service.WebhookRequest(
            url=receiver.url, events=["meeting.updated"]))
    meeting_id = _meeting(db, team)
    _as_leo(db, team, lambda s, a: cancel_occurrence(s, a, meeting_id, FIXED_NOW))
    assert [k for k, _, _ in _rows(db)] == ["meeting.updated"]
    deliver_webhooks(db, BASE_URL, FIXED_NOW)
    assert receiver.received[0].json["data"]["change"] == "cancelled"
    waiting = _meeting(db, team, title="Queued before it was turned off")
    _as_leo(db, team, lambda s, a: cancel_occurrence(s, a, waiting, FIXED_NOW))
    with db.session() as session:
        leo = actor_for(session, session.get(User, team["leo"]))
        service.update_webhook(session, leo, team["team"], team["webhook"], service.WebhookRequest(
            url=receiver.url, is_active=False))
        service.send_test_event(session, leo, team["team"], team["webhook"], FIXED_NOW)
    _meeting(db, team, title="Another")
    deliver_webhooks(db, BASE_URL, FIXED_NOW)
    assert _rows(db) == [("meeting.updated", "sent", 1), ("meeting.updated", "failed", 1), ("ping", "sent", 1)]
    assert receiver.events == ["meeting.updated", "ping"]  # the test event still goes out


def test_down_then_back_every_event_once_and_in_order(db, team, receiver):
    port = receiver.port
    receiver.stop()
    meeting_id = _meeting(db, team)
    first = _as_leo(db, team, lambda s, a: create_action_item(s, a, meeting_id, title="One", now=FIXED_NOW).id)
    report = deliver_webhooks(db, BASE_URL, FIXED_NOW)
    assert (report.sent, report.retrying) == (0, 2)
    with db.session() as session:
        row = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert row.last_error.startswith("cannot connect")
        assert row.next_attempt_at == FIXED_NOW + timedelta(minutes=1)

    receiver.port = port
    receiver.start()  # back, on the same address
    later = FIXED_NOW + timedelta(seconds=20)
    _as_leo(db, team, lambda s, a: set_action_status(s, a, first, "done", later))
    second = _as_leo(db, team, lambda s, a: create_action_item(s, a, meeting_id, title="Two", now=later).id)
    deliver_webhooks(db, BASE_URL, later)
    # "Two" is news about another item and goes; "One" completed waits for "One" created (retrying).
    assert receiver.events == ["action_item.created"]
    assert receiver.received[0].json["data"]["action_item"]["id"] == second

    deliver_webhooks(db, BASE_URL, FIXED_NOW + timedelta(minutes=1))
    deliver_webhooks(db, BASE_URL, FIXED_NOW + timedelta(minutes=5))
    got = [(r.event, (r.json["data"].get("action_item") or r.json["data"]["meeting"])["id"]) for r in receiver.received]
    assert got == [("action_item.created", second), ("meeting.created", meeting_id),
                   ("action_item.created", first), ("action_item.completed", first)]
    assert all(r.signature_ok for r in receiver.received)
    retried = [r for r in receiver.received if r.headers["x-meetings-attempt"] == "2"]
    assert {r.event for r in retried} == {"meeting.created", "action_item.created"}
    # a retry is signed with the attempt's own time: receivers may refuse stale requests
    assert retried[0].headers["x-meetings-timestamp"] == str(int((FIXED_NOW + timedelta(minutes=1)).timestamp()))
    assert {s for _, s, _ in _rows(db)} == {"sent"}


def test_answers_decide_between_retry_and_failure(db, team, receiver):
    def outcome(status, headers=None):
        with db.session() as session:
            for row in session.scalars(select(OutboxMessage)):
                session.delete(row)
            service.send_test_event(session, actor_for(session, session.get(User, team["leo"])), team["team"],
                                    team["webhook"], FIXED_NOW)
        receiver.status, receiver.extra_headers = status, headers or {}
        deliver_webhooks(db, BASE_URL, FIXED_NOW)
        with db.session() as session:
            row = session.scalars(select(OutboxMessage)).one()
            return row.status.value, row.next_attempt_at - FIXED_NOW, row.last_error

    assert outcome(200)[0] == "sent"
    assert outcome(500) == ("pending", timedelta(minutes=1), "HTTP 500 Internal Server Error")
    assert outcome(408)[0] == "pending"
    assert outcome(429, {"Retry-After": "600"})[:2] == ("pending", timedelta(minutes=10))
    assert outcome(410) == ("failed", timedelta(0), "HTTP 410 Gone")
    assert outcome(400)[0] == "failed"
    assert outcome(302, {"Location": "http://127.0.0.1:1/"})[0] == "failed"  # redirects are not followed


def test_retries_end_after_eight_attempts(db, team, receiver):
    receiver.status = 503
    with db.session() as session:
        service.send_test_event(session, actor_for(session, session.get(User, team["leo"])), team["team"],
                                team["webhook"], FIXED_NOW)
    when = FIXED_NOW
    for _ in range(8):
        deliver_webhooks(db, BASE_URL, when)
        when += timedelta(hours=7)
    assert _rows(db) == [("ping", "failed", 8)]


def test_slack_and_teams_payloads(db, team, receiver):
    with db.session() as session:
        leo = actor_for(session, session.get(User, team["leo"]))
        service.update_webhook(session, leo, team["team"], team["webhook"],
                               service.WebhookRequest(url=receiver.url, payload_format="slack"))
    meeting_id = _meeting(db, team, title="Q3 <roadmap> & more")
    deliver_webhooks(db, BASE_URL, FIXED_NOW)
    text = receiver.received[-1].json["text"]
    assert list(receiver.received[-1].json) == ["text"]
    assert text.startswith(f"*<{BASE_URL}/meetings/{meeting_id}|New meeting: Q3 &lt;roadmap&gt; &amp; more>*")

    with db.session() as session:
        leo = actor_for(session, session.get(User, team["leo"]))
        service.update_webhook(session, leo, team["team"], team["webhook"],
                               service.WebhookRequest(url=receiver.url, payload_format="teams"))
    _as_leo(db, team, lambda s, a: create_action_item(s, a, meeting_id, title="Draft", due_date="2026-04-02",
                                                      now=FIXED_NOW))
    deliver_webhooks(db, BASE_URL, FIXED_NOW)
    message = receiver.received[-1].json
    assert message["type"] == "message"
    attachment = message["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "New action item: Draft"
    assert card["actions"][0]["url"].startswith(f"{BASE_URL}/meetings/{meeting_id}#action-")
    assert all(r.signature_ok for r in receiver.received)


def test_overdue_once_per_item_in_the_assignees_zone(db, team, receiver):
    meeting_id = _meeting(db, team)
    with db.session() as session:
        for who in ("leo", "priya"):
            session.add(ActionItem(title=f"{who}'s task", assignee_id=team[who], meeting_id=meeting_id,
                                   due_date=date(2026, 4, 2)))
        session.add(ActionItem(title="long ago", assignee_id=team["leo"], meeting_id=meeting_id,
                               due_date=date(2026, 3, 1)))

    def scan(when):
        with db.session() as session:
            return announce_overdue(session, when)

    assert scan(datetime(2026, 4, 2, 21, 59, tzinfo=UTC)) == 0  # 23:59 in Berlin
    assert scan(datetime(2026, 4, 2, 22, 0, tzinfo=UTC)) == 1  # midnight in Berlin: Leo's
    assert scan(datetime(2026, 4, 3, 3, 59, tzinfo=UTC)) == 0  # 23:59 in New York, Leo's already queued
    assert scan(datetime(2026, 4, 3, 4, 0, tzinfo=UTC)) == 1  # midnight in New York: Priya's
    assert scan(datetime(2026, 4, 5, 9, 0, tzinfo=UTC)) == 0  # once per item
    with db.session() as session:  # a new due date, missed again: announced again
        item = session.scalars(select(ActionItem).where(ActionItem.title == "leo's task")).one()
        item.due_date = date(2026, 4, 6)
    assert scan(datetime(2026, 4, 6, 22, 0, tzinfo=UTC)) == 1
    assert announce_overdue_items(db, datetime(2026, 4, 8, 9, 0, tzinfo=UTC)) == 0  # the job: nothing new
    deliver_webhook_events(db, BASE_URL, datetime(2026, 4, 8, 9, 0, tzinfo=UTC))
    overdue = [r.json["data"]["action_item"]["title"] for r in receiver.received if r.event == "action_item.overdue"]
    assert overdue == ["leo's task", "priya's task", "leo's task"]


def test_bad_urls_are_refused(db, team):
    bad = ["", "ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd", "https://", "example.com/hook",
           "http://exa mple.com/", "http://example.com:99999999/", "http://a..b/", "https://example.com/" + "x" * 1000]
    for url in bad:
        assert service.check_url(url) is not None, url
    for url in ["http://127.0.0.1:8080/hook", "https://10.0.0.5/in", "https://hooks.slack.com/services/T/B/x",
                "http://[::1]:9000/"]:
        assert service.check_url(url) is None, url  # private addresses are allowed: self-hosted tools
    with db.session() as session:
        leo = actor_for(session, session.get(User, team["leo"]))
        with pytest.raises(ValidationError) as info:
            service.create_webhook(session, leo, team["team"], service.WebhookRequest(
                url="gopher://x", payload_format="xml", events=["meeting.deleted"]), FIXED_NOW)
    assert set(info.value.errors) == {"url", "payload_format", "events"}


def test_a_url_the_http_client_refuses_fails_without_stopping_the_queue(db, team, receiver):
    with db.session() as session:
        session.get(Webhook, team["webhook"]).url = "http://xn--/hook"  # passes the form's check; IDNA refuses it
        service.send_test_event(session, actor_for(session, session.get(User, team["leo"])), team["team"],
                                team["webhook"], FIXED_NOW)
    report = deliver_webhooks(db, BASE_URL, FIXED_NOW)
    assert (report.failed, report.retrying) == (1, 0) and report.errors[0].startswith("invalid URL")


def test_deleting_a_webhook_drops_its_queue(db, team, receiver):
    _meeting(db, team)
    with db.session() as session:
        service.delete_webhook(session, actor_for(session, session.get(User, team["leo"])), team["team"],
                               team["webhook"])
    assert _rows(db) == []
    assert deliver_webhooks(db, BASE_URL, FIXED_NOW).sent == 0



def test_the_readme_recipe_verifies_a_real_delivery(db, team, receiver):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Verifying a webhook", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 -- our own documentation
    namespace["time"] = SimpleNamespace(time=lambda: FIXED_NOW.timestamp() + 60)  # a minute after sending
    _meeting(db, team)
    deliver_webhooks(db, BASE_URL, FIXED_NOW)
    got = receiver.received[0]
    headers = {"X-Meetings-Timestamp": got.headers["x-meetings-timestamp"],
               "X-Meetings-Signature": got.headers["x-meetings-signature"]}
    assert namespace["verify"](receiver.secret, headers, got.body)
    assert not namespace["verify"]("whsec_other", headers, got.body)
    assert not namespace["verify"](receiver.secret, headers, got.body.replace(b"Sprint", b"Spr1nt"))
    namespace["time"] = SimpleNamespace(time=lambda: FIXED_NOW.timestamp() + 600)  # replayed ten minutes later
    assert not namespace["verify"](receiver.secret, headers, got.body)


def test_two_deliverers_post_each_event_once_and_in_order(database_url, db, team, receiver):
    # PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: claims are written under BEGIN IMMEDIATE, one at a time.
    with db.session() as session:
        for item in range(40):
            for step in ("created", "assigned", "completed"):
                emit(session, team["team"], f"action_item.{step}", {"item": item, "step": step},
                     f"load:{item}:{step}", FIXED_NOW, ordering_key=f"action_item:{item}")
    workers = [Database(database_url), Database(database_url)]
    errors: list[Exception] = []

    def run(worker: Database) -> None:
        try:
            for _ in range(10):
                deliver_webhooks(worker, BASE_URL, FIXED_NOW, limit=15)
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for worker in workers:
            worker.dispose()
    assert not errors, errors
    ids = [r.headers["x-meetings-event-id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 120
    for item in range(40):
        steps = [r.json["data"]["step"] for r in receiver.received if r.json["data"]["item"] == item]
        assert steps == ["created", "assigned", "completed"], item
