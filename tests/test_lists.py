"""Dashboard, meetings list with filters and week view, and the action items page."""

from bs4 import BeautifulSoup
from litestar.testing import TestClient
from sqlalchemy import select

from meetings.models import ActionItem, ActionItemStatus, Team, User
from tests.conftest import post_form, sign_in


def _page(response):
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_dashboard_lists_meetings_waiting_for_my_topics(client, demo, db):
    sign_in(client, "priya@example.com")
    waiting = [a.get_text() for a in _page(client.get("/")).select("#waiting-title ~ ul .meeting-title")]
    assert waiting == ["Sprint 42 planning"]
    with db.session() as session:
        meeting_id = session.scalars(select(ActionItem.meeting_id).where(
            ActionItem.title.startswith("Split the billing"))).one()
    post_form(client, f"/meetings/{meeting_id}/items", {"title": "Test environments", "section_id": ""},
              token_from="/")
    assert _page(client.get("/")).select("#waiting-title ~ ul .meeting-title") == []


def test_meetings_filtered_by_team_and_series(maya, db):
    with db.session() as session:
        product = session.scalars(select(Team.id).where(Team.name == "Product")).one()
    titles = [a.get_text() for a in _page(maya.get(f"/meetings?team={product}")).select(".meeting-title")]
    assert titles == ["Q3 roadmap review"]
    series_option = _page(maya.get("/meetings")).select("#filter-series option")[1]
    by_series = [a.get_text() for a in _page(maya.get(f"/meetings?series={series_option['value']}"))
                 .select(".meeting-title")]
    assert set(by_series) == {"Maya / Leo 1-on-1"} and len(by_series) == 2


def test_week_view_in_my_time_zone(maya):
    page = _page(maya.get("/meetings?view=week&week=2026-03-31"))
    assert page.select_one("#week-title").get_text().startswith("Week of Mon 30 Mar 2026")
    days = page.select(".week-day")
    assert len(days) == 7
    tuesday = days[1]
    assert [li.get_text() for li in tuesday.select("li a")] == ["09:30 Sprint 42 planning"]
    assert "today" not in tuesday["class"]
    assert page.select_one("a[rel=prev]")["href"].endswith("week=2026-03-23")
    assert _page(maya.get("/meetings?view=week&week=not-a-date")).select(".week-day")  # falls back to this week


def test_action_items_page_mine_and_my_team(app, demo, db):
    elena = TestClient(app)
    sign_in(elena, "elena@example.com")  # manages Product; Sam and Maya report to her
    mine = _page(elena.get("/action-items")).select(".action-title")
    assert mine == []
    team = [t.get_text() for t in _page(elena.get("/action-items?view=team")).select(".action-title")]
    assert team == ["Send the reliability cost estimate to Elena"]  # Maya's, in a meeting Elena attends
    # Maya's 1-on-1 items are private to Maya and Leo: not even her manager sees them.
    assert "Ask finance about the conference budget" not in " ".join(team)


def test_complete_and_reassign_from_the_list(app, demo, db):
    leo = TestClient(app)
    sign_in(leo, "leo@example.com")
    page = _page(leo.get("/action-items"))
    row = page.select_one(".action-row")
    assert "overdue" in row["class"]
    action_id = int(row["id"].split("-")[1])
    with db.session() as session:
        maya = session.scalars(select(User.id).where(User.email == "maya@example.com")).one()
        sam = session.scalars(select(User.id).where(User.email == "sam@example.com")).one()
    bad = post_form(leo, f"/action-items/{action_id}/reassign", {"assignee_id": str(sam)}, token_from="/")
    assert bad.status_code == 400 and "Choose an attendee" in bad.text
    assert post_form(leo, f"/action-items/{action_id}/reassign", {"assignee_id": str(maya)},
                     token_from="/").status_code == 303
    assert post_form(leo, f"/action-items/{action_id}/status", {"status": "done"}, token_from="/").status_code == 303
    with db.session() as session:
        action = session.get(ActionItem, action_id)
    assert action.assignee_id == maya and action.status is ActionItemStatus.DONE
