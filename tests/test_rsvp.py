"""Answering invitations: by the signed link in the email (no sign-in) and on the meeting page."""

import json
import re
from datetime import timedelta

from bs4 import BeautifulSoup
from itsdangerous.encoding import base64_encode
from litestar.testing import TestClient
from sqlalchemy import select

from meetings.domain.rsvp import RsvpLinks
from meetings.models import AttendeeResponse, Meeting, MeetingAttendee, OutboxMessage, SeriesAttendee, User
from tests.conftest import csrf_token, post_form, sign_in
from tests.test_calendar_invitations import _create_series, _ids


def _link(db, email, answer="accepted"):
    """The answer link in the invitation email to ``email``."""
    with db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email,
                                                          OutboxMessage.kind == "calendar_invitation")
                              .order_by(OutboxMessage.id.desc())).first()
    text = json.loads(row.payload)["text"]
    return re.search(rf"(http://[^/]+)(/rsvp/[^?\s]+)\?answer={answer}", text).group(2)


def _answers(db, meeting_id):
    with db.session() as session:
        rows = session.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id))
        return {session.get(User, a.user_id).email.split("@")[0]: a.response for a in rows}


def test_answer_a_one_off_meeting_from_the_email_link_without_signing_in(maya, db, app):
    meeting_id = _create_series(maya, db, frequency="none", title="Budget review")
    path = _link(db, "leo@example.com", "declined")
    anonymous = TestClient(app)
    page = BeautifulSoup(anonymous.get(path + "?answer=declined").text, "html.parser")
    # Opening the link only shows the choice (mail scanners open links): nothing is saved yet.
    assert page.h1.get_text() == "Budget review"
    assert page.select_one("input[name=answer][checked]")["value"] == "declined"
    assert _answers(db, meeting_id)["leo"] is AttendeeResponse.NEEDS_ACTION
    response = anonymous.post(path, data={"answer": "declined", "_csrf_token": csrf_token(anonymous, path)})
    assert response.status_code == 200
    assert "your answer is saved (Not attending)" in BeautifulSoup(response.text, "html.parser").select_one(
        "#rsvp-saved").get_text()
    assert _answers(db, meeting_id)["leo"] is AttendeeResponse.DECLINED
    # The meeting page lists each attendee's answer.
    attendees = BeautifulSoup(maya.get(f"/meetings/{meeting_id}").text, "html.parser").select(".attendees li")
    answers = {li.get_text(" ", strip=True).split(" ")[0]: li["data-answer"] for li in attendees}
    assert answers == {"Leo": "declined", "Maya": "needs_action", "Priya": "needs_action"}
    assert "not attending" in maya.get(f"/meetings/{meeting_id}").text


def test_links_that_were_not_signed_here_or_were_changed_are_refused(maya, db, app):
    meeting_id = _create_series(maya, db, frequency="none", title="Budget review")
    path = _link(db, "leo@example.com")
    anonymous = TestClient(app)
    users, _ = _ids(db)
    _, signature = path.removeprefix("/rsvp/").rsplit(".", 1)
    priya = base64_encode(json.dumps(["m", meeting_id, users["priya"]], separators=(",", ":"))).decode()
    someone_else = f"/rsvp/{priya}.{signature}"  # Leo's signature on Priya's answer
    other_key = "/rsvp/" + RsvpLinks("another secret").token("m", meeting_id, users["leo"])
    for bad in (someone_else, other_key, f"/rsvp/m{meeting_id}.{users['leo']}", "/rsvp/x.y.z", path + "x"):
        assert anonymous.get(bad).status_code == 404, bad
        token = csrf_token(anonymous, "/signin")
        assert anonymous.post(bad, data={"answer": "accepted", "_csrf_token": token}).status_code == 404, bad
    assert _answers(db, meeting_id)["priya"] is AttendeeResponse.NEEDS_ACTION
    # A made-up answer is refused beside the form; nothing changes.
    response = anonymous.post(path, data={"answer": "maybe-later", "_csrf_token": csrf_token(anonymous, path)})
    assert response.status_code == 400 and "Choose attending" in response.text
    assert _answers(db, meeting_id)["leo"] is AttendeeResponse.NEEDS_ACTION


def test_a_series_answer_holds_for_its_next_meetings_too(maya, db, app, clock):
    first_id = _create_series(maya, db)
    path = _link(db, "priya@example.com")
    anonymous = TestClient(app)
    anonymous.post(path, data={"answer": "accepted", "_csrf_token": csrf_token(anonymous, path)})
    assert _answers(db, first_id)["priya"] is AttendeeResponse.ACCEPTED
    with db.session() as session:
        member = session.scalars(select(SeriesAttendee).join(User).where(User.email == "priya@example.com")).one()
        assert member.response is AttendeeResponse.ACCEPTED
    # The next occurrence, created when this one ends, starts with the series' answer.
    response = post_form(maya, f"/meetings/{first_id}/end", {}, token_from=f"/meetings/{first_id}")
    following = int(response.headers["location"].rsplit("/", 1)[1])
    assert following != first_id
    assert _answers(db, following)["priya"] is AttendeeResponse.ACCEPTED
    assert _answers(db, following)["leo"] is AttendeeResponse.NEEDS_ACTION
    # An answer on the page is for that one meeting only.
    sign_in(maya, "priya@example.com")
    post_form(maya, f"/meetings/{following}/rsvp", {"answer": "declined"}, token_from=f"/meetings/{following}")
    assert _answers(db, following)["priya"] is AttendeeResponse.DECLINED
    with db.session() as session:
        assert session.get(SeriesAttendee, member.id).response is AttendeeResponse.ACCEPTED


def test_answer_on_the_meeting_page(maya, db):
    meeting_id = _create_series(maya, db, frequency="none", title="Budget review")
    page = BeautifulSoup(maya.get(f"/meetings/{meeting_id}").text, "html.parser")
    form = page.select_one("form.rsvp-form")
    assert form.select_one("label[for=rsvp-answer]").get_text() == "Will you attend?"
    response = post_form(maya, f"/meetings/{meeting_id}/rsvp", {"answer": "tentative"},
                         token_from=f"/meetings/{meeting_id}")
    assert response.status_code == 303 and response.headers["location"].endswith("#attendance")
    assert _answers(db, meeting_id)["maya"] is AttendeeResponse.TENTATIVE
    refused = post_form(maya, f"/meetings/{meeting_id}/rsvp", {"answer": "sometimes"},
                        token_from=f"/meetings/{meeting_id}")
    assert refused.status_code == 400 and "Choose attending, maybe or not attending." in refused.text
    assert _answers(db, meeting_id)["maya"] is AttendeeResponse.TENTATIVE


def test_no_answers_once_the_meeting_is_over(maya, db, app, clock):
    meeting_id = _create_series(maya, db, frequency="none", title="Budget review")
    path = _link(db, "leo@example.com")
    with db.session() as session:
        starts = session.get(Meeting, meeting_id).starts_at
    clock.now = starts + timedelta(hours=2)
    anonymous = TestClient(app)
    assert "nothing to answer" in anonymous.get(path).text
    token = csrf_token(anonymous, "/signin")
    assert anonymous.post(path, data={"answer": "accepted", "_csrf_token": token}).status_code == 400
    assert _answers(db, meeting_id)["leo"] is AttendeeResponse.NEEDS_ACTION
