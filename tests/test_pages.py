"""The browsable pages, checked by parsing their HTML."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from meetings.models import Meeting
from tests.conftest import sign_in


def _page(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_dashboard_shows_upcoming_meetings_and_overdue_items(client, demo):
    sign_in(client, "leo@example.com")
    page = _page(client.get("/"))
    upcoming = [a.get_text() for a in page.select("#upcoming-title ~ ul .meeting-title")]
    assert upcoming == ["Maya / Leo 1-on-1", "Sprint 42 planning"]  # Leo is not in the roadmap review
    overdue = [li.select_one(".action-title").get_text() for li in page.select(".action-item.overdue")]
    assert overdue == ["Draft a proposal for quieter disk alerts"]
    assert page.select_one("nav a[aria-current=page]").get_text() == "Dashboard"


def test_someone_without_meetings_is_told_so(client, demo, db):
    from meetings.domain.passwords import hash_password
    from meetings.domain.users import create_user

    with db.session() as session:
        create_user(session, email="new@example.com", name="New Person").password_hash = hash_password("s3cret-pass")
    sign_in(client, "new@example.com", "s3cret-pass")
    page = _page(client.get("/"))
    assert "No meetings coming up." in page.get_text()
    assert "Nothing open. Well done." in page.get_text()


def test_meetings_list_splits_upcoming_and_past(maya):
    client = maya
    page = _page(client.get("/meetings"))
    past = [a.get_text() for a in page.select("#past-title ~ ul .meeting-title")]
    assert past == ["Maya / Leo 1-on-1"]


def test_meeting_page_shows_agenda_notes_decisions_and_actions(maya, db):
    client = maya
    with db.session() as session:
        meeting_id = session.scalar(
            select(Meeting.id).where(Meeting.title == "Maya / Leo 1-on-1").order_by(Meeting.starts_at)
        )
    page = _page(client.get(f"/meetings/{meeting_id}"))
    assert page.h1.get_text() == "Maya / Leo 1-on-1"
    # 10:00 in the meeting's zone, with its abbreviation; the machine's zone plays no part.
    assert page.select_one(".meeting-when time").get_text() == "Sat 21 Mar 2026, 10:00 CET"
    sections = [h.get_text() for h in page.select(".agenda-section h3")]
    assert sections == ["Check-in", "Report's topics", "Growth"]
    states = {li.select_one(".agenda-item-title").get_text(): li["class"][1] for li in page.select(".agenda-item")}
    assert states["On-call load"] == "state-discussed"
    assert states["Conference budget for KubeCon"] == "state-deferred"
    assert "pager noise" in page.select_one(".notes").get_text()
    assert "Leo leads the alert-tuning work" in page.get_text()
    actions = page.select(".action-item")
    assert "from “On-call load”" in actions[0].get_text()


def test_time_boxes_over_the_meeting_length_warn(maya, db):
    client = maya
    with db.session() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.title == "Maya / Leo 1-on-1")).first()
        meeting.duration_minutes = 20
        meeting_id = meeting.id
    page = _page(client.get(f"/meetings/{meeting_id}"))
    budget = page.select_one(".time-budget")
    assert "over" in budget["class"]
    assert "30 min planned of 20 min" in budget.get_text()
