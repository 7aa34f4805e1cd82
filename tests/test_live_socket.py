"""The meeting socket: who may open it, shared notes typed together, presence, change events, and
clients that misbehave (closed alone)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from sqlalchemy import select

from meetings.app import create_app
from meetings.domain.sessions import start_session
from meetings.integrations.broker import broker_for
from meetings.models import ActionItem, Meeting, Note, User
from tests.conftest import post_form
from tests.live_peer import LivePeer

ORIGIN = {"origin": "http://testserver.local"}


@pytest.fixture
def meetings(db, demo):
    with db.session() as session:
        return {m.title: m.id for m in session.scalars(select(Meeting))}


@pytest.fixture
def cookies(db, demo, clock):
    """Session cookies of three demo people (as signing in gives them; the form is tested elsewhere)."""
    with db.session() as session:
        users = {u.email.split("@")[0]: u for u in session.scalars(select(User))}
        return {name: start_session(session, users[name], clock(), timedelta(days=1))
                for name in ("maya", "leo", "priya")}


def connect(client, meeting_id, cookie, headers=ORIGIN):
    return client.websocket_connect(f"/meetings/{meeting_id}/live", headers=headers,
                                    cookies={"meetings_session": cookie} if cookie else None)


def peer(ws):
    return LivePeer(ws.send_text, lambda timeout: ws.receive_text(timeout=timeout))


def test_two_people_type_and_see_each_other_and_the_note_is_kept(client, cookies, meetings, db, settings, clock):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a, connect(client, planning, cookies["leo"]) as b:
        maya, leo = peer(a), peer(b)
        maya.sync()
        leo.sync()
        maya.insert(0, "Hello")
        assert maya.next("saved")["version"] >= 1
        leo.next("update")
        assert leo.value == "Hello"
        leo.insert(5, " world")
        maya.next("update")
        assert maya.value == leo.value == "Hello world"
    with db.session() as session:
        note = session.scalars(select(Note).where(Note.meeting_id == planning, Note.scope == "shared")).one()
        assert note.body == "Hello world" and note.crdt_state
    # A new server process (a restart) serves the same document from the database.
    with TestClient(create_app(settings, clock=clock)) as again, connect(again, planning, cookies["priya"]) as c:
        priya = peer(c)
        priya.sync()
        assert priya.value == "Hello world"


def test_presence_lists_who_is_here_and_what_they_edit(client, cookies, meetings):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a:
        maya = peer(a)
        maya.people(["Maya Chen"])
        with connect(client, planning, cookies["leo"]) as b:
            leo = peer(b)
            leo.people(["Leo Park", "Maya Chen"])
            maya.people(["Leo Park", "Maya Chen"])
            leo.send({"type": "editing", "field": "notes-meeting-shared-body"})
            people = maya.next("presence", where=lambda m: m["people"][0]["editing"])["people"]
            assert people[0] == {"id": people[0]["id"], "name": "Leo Park", "editing": ["notes-meeting-shared-body"]}
        maya.people(["Maya Chen"])


def test_edits_made_while_disconnected_merge_on_reconnect(client, cookies, meetings):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a:
        maya = peer(a)
        maya.sync()
        maya.insert(0, "Agenda: ")
        maya.next("saved")
    # Maya's connection dropped; she keeps typing into her copy while Leo types online.
    maya.insert(8, "budget", send=False)
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        leo.sync()
        leo.insert(0, "[Leo] ")
        leo.next("saved")
    with connect(client, planning, cookies["maya"]) as a:
        maya._send, maya._receive = a.send_text, lambda timeout: a.receive_text(timeout=timeout)
        maya.sync()
        assert maya.value == "[Leo] Agenda: budget"
        with connect(client, planning, cookies["leo"]) as b:
            leo = peer(b)
            leo.sync()
            assert leo.value == maya.value


def test_a_plain_form_save_reaches_live_pages_and_stale_saves_are_refused(client, cookies, meetings, db):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a:
        maya = peer(a)
        maya.sync()
        maya.insert(0, "typed live")
        version = maya.next("saved")["version"]
        client.cookies.set("meetings_session", cookies["leo"])
        saved = post_form(client, f"/meetings/{planning}/notes",
                          {"body": "typed live, then saved by a form", "version": str(version)}, token_from="/")
        assert saved.status_code == 303
        maya.next("changed")
        assert maya.value == "typed live, then saved by a form"
        stale = post_form(client, f"/meetings/{planning}/notes", {"body": "old copy", "version": str(version)},
                          token_from="/")
        assert stale.status_code == 409
        assert "typed live, then saved by a form" in stale.text
    with db.session() as session:
        assert session.scalars(select(Note.body).where(Note.meeting_id == planning, Note.scope == "shared")).one() \
            == "typed live, then saved by a form"


def test_a_change_made_through_a_form_tells_the_other_pages(client, cookies, meetings):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        client.cookies.set("meetings_session", cookies["maya"])
        response = post_form(client, f"/meetings/{planning}/decisions", {"decision": "Ship on Friday"},
                             token_from="/")
        assert response.status_code == 303
        assert leo.next("changed") == {"type": "changed"}


@pytest.mark.parametrize("case", ["no session", "invisible meeting", "bad origin", "no origin", "missing meeting"])
def test_the_socket_is_refused(client, cookies, meetings, case):
    meeting = meetings["Q3 roadmap review"]  # attendees only: Elena, Sam, Maya
    cookie, headers, meeting_id = cookies["maya"], ORIGIN, meeting
    if case == "no session":
        cookie = None
    elif case == "invisible meeting":
        cookie = cookies["leo"]
    elif case == "bad origin":
        headers = {"origin": "https://evil.example"}
    elif case == "no origin":
        headers = {}
    elif case == "missing meeting":
        meeting_id = 999_999
    with pytest.raises(WebSocketDisconnect) as refused, connect(client, meeting_id, cookie, headers) as ws:
        ws.receive_text(timeout=2)
    assert refused.value.code == 4403
    with connect(client, meeting, cookies["maya"]) as ws:  # the rightful viewer gets in
        peer(ws).people(["Maya Chen"])


@pytest.mark.parametrize("garbage", [
    "not json",
    json.dumps({"type": "update", "scope": "shared", "update": base64.b64encode(b"\xff\x01garbage").decode()}),
    json.dumps({"type": "update", "scope": "shared", "update": "%%%"}),
    json.dumps({"type": "sync", "scope": "private:1", "sv": ""}),
    json.dumps({"type": "editing", "field": "<img src=x>"}),
    json.dumps({"type": "launch"}),
    json.dumps([1, 2]),
])
def test_garbage_closes_only_its_sender(client, cookies, meetings, garbage):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a, connect(client, planning, cookies["leo"]) as b:
        maya, leo = peer(a), peer(b)
        maya.sync()
        b.send_text(garbage)
        assert leo.next("error")["code"] == 4400
        with pytest.raises(WebSocketDisconnect) as closed:
            leo.next("never", timeout=2)
        assert closed.value.code == 4400
        maya.insert(0, "still here")
        assert maya.next("saved")


def test_a_flood_or_a_huge_message_closes_the_socket(client, cookies, meetings):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        for _ in range(260):
            b.send_text(json.dumps({"type": "editing", "field": ""}))
        assert leo.next("error")["code"] == 4429
    with connect(client, planning, cookies["leo"]) as b:
        b.send_text("x" * (600 * 1024))
        assert peer(b).next("error")["code"] == 1009


@pytest.mark.parametrize(("url", "kind", "channel"), [
    ("", "MemoryBroker", None),
    ("redis://127.0.0.1:6379/0", "RedisBroker", "meetings_live"),
    ("redis://127.0.0.1:6379/0?channel=team-a", "RedisBroker", "team-a"),
    ("postgresql://app@db/meetings", "PostgresBroker", "meetings_live"),
])
def test_the_broker_is_chosen_by_the_setting(url, kind, channel):
    broker = broker_for(url)
    assert type(broker).__name__ == kind
    assert getattr(broker, "_channel", None) == channel


def test_completing_from_the_action_items_list_tells_the_meeting_page(client, cookies, meetings, db):
    planning = meetings["Sprint 42 planning"]
    with db.session() as session:
        action = session.scalars(select(ActionItem).where(ActionItem.meeting_id == planning)).first()
    with connect(client, planning, cookies["maya"]) as a:
        maya = peer(a)
        client.cookies.set("meetings_session", cookies["leo"])
        response = post_form(client, f"/action-items/{action.id}/status", {"status": "done", "back": ""},
                             token_from="/action-items")
        assert response.status_code == 303
        assert maya.next("changed") == {"type": "changed"}


def test_notes_written_before_they_were_live_start_from_their_text_once(client, cookies, meetings, db):
    planning = meetings["Sprint 42 planning"]
    client.cookies.set("meetings_session", cookies["leo"])
    saved = post_form(client, f"/meetings/{planning}/notes", {"body": "Written without JavaScript.", "version": "0"},
                      token_from="/")
    assert saved.status_code == 303
    with connect(client, planning, cookies["maya"]) as a, connect(client, planning, cookies["priya"]) as c:
        maya, priya = peer(a), peer(c)
        maya.sync()
        priya.sync()
        assert maya.value == priya.value == "Written without JavaScript."
        priya.insert(0, "> ")
        maya.next("update")
        assert maya.value == "> Written without JavaScript."


def test_moving_the_meeting_tells_its_open_pages(client, cookies, meetings):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        client.cookies.set("meetings_session", cookies["maya"])
        response = post_form(client, f"/meetings/{planning}/reschedule",
                             {"date": "2026-04-02", "time": "11:00", "duration_minutes": "45"}, token_from="/")
        assert response.status_code == 303, response.text
        assert leo.next("changed") == {"type": "changed"}


def test_signing_out_closes_the_open_socket(client, cookies, meetings, db, monkeypatch):
    from meetings.domain.sessions import end_session
    from meetings.web import live

    monkeypatch.setattr(live, "RECHECK_EVERY", 0.2)
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        leo.sync()
        with db.session() as session:
            end_session(session, cookies["leo"])  # signed out in another tab
        assert leo.next("error")["code"] == 4403
        with pytest.raises(WebSocketDisconnect) as closed:
            leo.next("never", timeout=2)
        assert closed.value.code == 4403


def test_a_series_form_tells_the_page_it_came_from(client, cookies, db):
    from meetings.models import MeetingAttendee

    with db.session() as session:  # a series meeting of Leo's
        meeting = session.scalars(select(Meeting).join(MeetingAttendee).join(User).where(
            Meeting.series_id.is_not(None), User.email == "leo@example.com")).first()
        planning, series_id = meeting.id, meeting.series_id
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        client.cookies.set("meetings_session", cookies["leo"])
        response = post_form(client, f"/series/{series_id}/reminders",
                             {"meeting_id": str(planning), "lead_hours": "3", "pre_meeting_reminder": "on"},
                             token_from="/")
        assert response.status_code == 303, response.text
        assert leo.next("changed") == {"type": "changed"}


def test_ending_a_meeting_through_the_api_tells_its_open_pages(client, cookies, meetings, db, clock):
    from meetings.domain.api_tokens import create_api_token

    planning = meetings["Sprint 42 planning"]
    with db.session() as session:
        maya = session.scalars(select(User).where(User.email == "maya@example.com")).one()
        _, raw = create_api_token(session, maya, "live", clock())
    with connect(client, planning, cookies["leo"]) as b:
        leo = peer(b)
        response = client.post(f"/api/v1/meetings/{planning}/end", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code in {200, 201}, response.text
        assert leo.next("changed") == {"type": "changed"}


def test_a_nul_character_typed_live_is_refused_and_nothing_is_stored(client, cookies, meetings, db):
    planning = meetings["Sprint 42 planning"]
    with connect(client, planning, cookies["maya"]) as a:
        maya = peer(a)
        maya.sync()
        maya.insert(0, "a\x00b")
        assert "NUL" in maya.next("error")["message"]
    with db.session() as session:
        assert not any("\x00" in (n.body or "") for n in session.scalars(select(Note)))
