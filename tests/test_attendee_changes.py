"""Adding and removing attendees after a meeting was created: the series follows, the newcomer is
invited, the person taken off gets a cancellation (iMIP CANCEL) of their own."""

import json

from sqlalchemy import select

from meetings.domain.scheduling import end_meeting
from meetings.models import Meeting, MeetingAttendee, OutboxMessage, SeriesAttendee
from tests.calendar_conformance import assert_conforms
from tests.conftest import post_form
from tests.test_calendar_invitations import _create_series, _ids


def _invitations_to(db, user_id):
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "calendar_invitation",
                                                           OutboxMessage.user_id == user_id)
                               .order_by(OutboxMessage.id))
        return [(row.subject, json.loads(row.payload)["calendar"]) for row in rows]


def _attending(db, meeting_id):
    with db.session() as session:
        return set(session.scalars(select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting_id)))


def _series_people(db, meeting_id):
    with db.session() as session:
        series_id = session.get(Meeting, meeting_id).series_id
        return set(session.scalars(select(SeriesAttendee.user_id).where(SeriesAttendee.series_id == series_id)))


def test_someone_added_to_a_series_is_invited_and_attends_the_following_meetings(maya, db, clock):
    users, _ = _ids(db)
    meeting_id = _create_series(maya, db, attendee_ids=[str(users["leo"])])
    page = maya.get(f"/meetings/{meeting_id}").text
    assert 'action="/meetings/%d/attendees"' % meeting_id in page and "Priya" in page.split('id="add-attendee"')[1].split("</select>")[0]
    leo_before = len(_invitations_to(db, users["leo"]))
    response = post_form(maya, f"/meetings/{meeting_id}/attendees", {"user_id": str(users["priya"])},
                         token_from=f"/meetings/{meeting_id}")
    assert response.status_code == 303
    assert users["priya"] in _attending(db, meeting_id) and users["priya"] in _series_people(db, meeting_id)
    [(subject, calendar)] = _invitations_to(db, users["priya"])
    assert subject.startswith("Invitation: Platform sync") and calendar["method"] == "REQUEST"
    assert_conforms(calendar["ics"].encode())
    assert len(_invitations_to(db, users["leo"])) == leo_before  # the others are not mailed again
    with db.session() as session:  # the next occurrence, made when this one ends, includes her
        from meetings.domain.access import actor_for
        from meetings.models import User
        following = end_meeting(session, actor_for(session, session.get(User, users["maya"])), meeting_id, clock())
        following_id = following.id
    assert users["priya"] in _attending(db, following_id)


def test_someone_taken_off_gets_a_cancellation_of_their_own_and_can_be_invited_again(maya, db):
    users, _ = _ids(db)
    meeting_id = _create_series(maya, db)  # Leo and Priya
    response = post_form(maya, f"/meetings/{meeting_id}/attendees/{users['priya']}/remove", {},
                         token_from=f"/meetings/{meeting_id}")
    assert response.status_code == 303
    assert users["priya"] not in _attending(db, meeting_id) | _series_people(db, meeting_id)
    subject, calendar = _invitations_to(db, users["priya"])[-1]
    assert subject.startswith("Removed from: Platform sync") and calendar["method"] == "CANCEL"
    assert "METHOD:CANCEL" in calendar["ics"] and "SEQUENCE:1" in calendar["ics"]
    assert_conforms(calendar["ics"].encode())
    assert all(s.startswith("Invitation") for s, _ in _invitations_to(db, users["leo"]))  # Leo: nothing new
    again = post_form(maya, f"/meetings/{meeting_id}/attendees", {"user_id": str(users["priya"])},
                      token_from=f"/meetings/{meeting_id}")
    assert again.status_code == 303
    subject, calendar = _invitations_to(db, users["priya"])[-1]
    assert calendar["method"] == "REQUEST" and "SEQUENCE:1" in calendar["ics"]


def test_bad_changes_are_refused_by_the_list_and_change_nothing(maya, db):
    users, _ = _ids(db)
    meeting_id = _create_series(maya, db, attendee_ids=[str(users["leo"])])
    page = f"/meetings/{meeting_id}"
    outsider = post_form(maya, f"{page}/attendees", {"user_id": str(users["sam"])}, token_from=page)  # not in Platform
    assert outsider.status_code == 400 and "Choose someone from the list." in outsider.text
    garbage = post_form(maya, f"{page}/attendees", {"user_id": "x"}, token_from=page)
    assert garbage.status_code == 400
    organiser = post_form(maya, f"{page}/attendees/{users['maya']}/remove", {}, token_from=page)
    assert organiser.status_code == 400 and "The organiser stays" in organiser.text
    stranger = post_form(maya, f"{page}/attendees/{users['priya']}/remove", {}, token_from=page)
    assert stranger.status_code == 400 and "not an attendee" in stranger.text
    assert _attending(db, meeting_id) == {users["maya"], users["leo"]}


def test_a_private_one_on_one_keeps_its_two_people(maya, db):
    users, _ = _ids(db)
    meeting_id = _create_series(maya, db, attendee_ids=[str(users["leo"])], visibility="private", team_id="")
    page = f"/meetings/{meeting_id}"
    assert 'id="add-attendee"' not in maya.get(page).text
    response = post_form(maya, f"{page}/attendees", {"user_id": str(users["priya"])}, token_from=page)
    assert response.status_code == 400 and "keeps its two people" in response.text
    assert _attending(db, meeting_id) == {users["maya"], users["leo"]}


def test_team_webhooks_hear_of_attendee_changes(maya, db):
    from meetings.models import Webhook

    users, teams = _ids(db)
    with db.session() as session:
        session.add(Webhook(team_id=teams["Platform"], name="chat", url="http://127.0.0.1:9/hook", secret="s",
                            payload_format="json", events="meeting.updated"))
    meeting_id = _create_series(maya, db, attendee_ids=[str(users["leo"])])
    page = f"/meetings/{meeting_id}"
    post_form(maya, f"{page}/attendees", {"user_id": str(users["priya"])}, token_from=page)
    post_form(maya, f"{page}/attendees/{users['priya']}/remove", {}, token_from=page)
    with db.session() as session:
        events = [json.loads(row.payload) for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "meeting.updated").order_by(OutboxMessage.id))]
    assert [e["data"]["change"] for e in events] == ["attendees", "attendees"]
