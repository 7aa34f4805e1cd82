"""The new-meeting form: templates, people, date and time, repeat; bad input keeps what was typed."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from meetings.models import Meeting, MeetingSeries, Team, User
from tests.conftest import post_form


def _ids(db):
    with db.session() as session:
        users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
        teams = {t.name: t.id for t in session.scalars(select(Team))}
    return users, teams


def test_the_form_offers_templates_teams_and_zones(maya):
    page = BeautifulSoup(maya.get("/meetings/new?template=sprint-planning").text, "html.parser")
    assert page.select_one("#f-template option[selected]")["value"] == "sprint-planning"
    assert page.select_one("#f-time_zone option[selected]")["value"] == "Europe/Berlin"  # Maya's zone
    assert page.select_one("#f-date")["value"] == "2026-03-29"  # tomorrow in Berlin, from the test clock


def test_create_a_weekly_series_from_a_template(maya, db):
    users, teams = _ids(db)
    response = post_form(maya, "/meetings/new", {
        "template": "weekly-team-meeting", "title": "", "team_id": str(teams["Platform"]),
        "attendee_ids": [str(users["leo"]), str(users["priya"])], "date": "2026-03-30", "time": "09:00",
        "time_zone": "Europe/Berlin", "duration_minutes": "", "visibility": "team", "frequency": "weekly",
        "interval": "1", "ends": "after", "count": "10", "carry_over": "on",
    }, token_from="/meetings/new")
    assert response.status_code == 303
    meeting_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = BeautifulSoup(maya.get(f"/meetings/{meeting_id}").text, "html.parser")
    assert page.h1.get_text() == "Platform weekly"
    assert "Every week on Monday, 10 times" in page.select_one(".series-nav").get_text()
    assert [h.get_text() for h in page.select(".agenda-section h3")] == ["Wins", "Priorities", "Topics", "Wrap-up"]
    with db.session() as session:
        series = session.scalars(select(MeetingSeries).order_by(MeetingSeries.id.desc())).first()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"


def test_bad_input_keeps_what_was_typed_and_creates_nothing(maya, db):
    users, teams = _ids(db)
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Meeting))
    response = post_form(maya, "/meetings/new", {
        "template": "one-on-one", "title": "Our chat", "team_id": str(teams["Platform"]),
        "attendee_ids": [str(users["leo"]), str(users["priya"])], "date": "next monday", "time": "9:00",
        "time_zone": "Europe/Berlin", "visibility": "private", "frequency": "weekly", "weekdays": ["MO", "TH"],
        "ends": "on", "until": "", "interval": "1",
    }, token_from="/meetings/new")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#f-until-error").get_text() == "Enter a date like 2026-06-30."
    assert page.select_one("#f-title")["value"] == "Our chat"
    assert page.select_one("#f-date")["value"] == "next monday"
    assert {i["value"] for i in page.select("input[name=attendee_ids][checked]")} == {str(users["leo"]),
                                                                                      str(users["priya"])}
    assert {i["value"] for i in page.select("input[name=weekdays][checked]")} == {"MO", "TH"}
    fixed = post_form(maya, "/meetings/new", {
        "template": "one-on-one", "title": "Our chat", "team_id": str(teams["Platform"]),
        "attendee_ids": [str(users["leo"]), str(users["priya"])], "date": "next monday", "time": "9:00",
        "time_zone": "Europe/Berlin", "visibility": "private", "frequency": "none",
    }, token_from="/meetings/new")
    errors = BeautifulSoup(fixed.text, "html.parser")
    assert errors.select_one("#f-date-error").get_text() == "Enter a date like 2026-03-31."
    assert errors.select_one("#f-visibility-error").get_text().startswith("A private 1-on-1 has exactly two")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == before


def test_end_a_meeting_opens_the_next_with_carried_topics(maya, db):
    with db.session() as session:
        first = session.scalars(select(Meeting).where(Meeting.title == "Maya / Leo 1-on-1")
                                .order_by(Meeting.starts_at.desc())).first()
        first_id = first.id
    response = post_form(maya, f"/meetings/{first_id}/end", {}, token_from="/meetings")
    assert response.status_code == 303
    next_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert next_id != first_id
    page = BeautifulSoup(maya.get(f"/meetings/{next_id}").text, "html.parser")
    assert page.select_one("a[rel=prev]")["href"] == f"/meetings/{first_id}"
    carried = [li.select_one(".agenda-item-title").get_text() for li in page.select(".agenda-item")
               if li.select_one(".carried")]
    assert "Feedback on the alert-tuning proposal" in carried


def test_open_action_items_of_earlier_occurrences_are_shown_with_their_origin(maya, db):
    with db.session() as session:
        current = session.scalars(select(Meeting).where(Meeting.title == "Maya / Leo 1-on-1")
                                  .order_by(Meeting.starts_at.desc())).first()
        earlier = session.scalars(select(Meeting).where(Meeting.title == "Maya / Leo 1-on-1")
                                  .order_by(Meeting.starts_at)).first()
        current_id, earlier_id = current.id, earlier.id
    page = BeautifulSoup(maya.get(f"/meetings/{current_id}").text, "html.parser")
    carried = page.select(".carried-action")
    assert [li.select_one(".action-title").get_text() for li in carried] == [
        "Draft a proposal for quieter disk alerts", "Ask finance about the conference budget"]
    assert carried[0].select_one(f'a[href="/meetings/{earlier_id}"]')
    assert "overdue" in carried[0]["class"]
