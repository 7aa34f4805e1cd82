"""The meeting page's forms: agenda, notes, action items, decisions and running the meeting."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from meetings.models import ActionItem, ActionItemStatus, AgendaItem, AgendaItemState, Meeting, Note, User
from tests.conftest import post_form


@pytest.fixture
def planning(db, demo):
    with db.session() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.title == "Sprint 42 planning")).one()
        users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
        items = {i.title: i for i in session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
        return meeting.id, users, items


def _page(response):
    return BeautifulSoup(response.text, "html.parser")


def _titles(client, meeting_id):
    page = _page(client.get(f"/meetings/{meeting_id}"))
    return [t.get_text() for t in page.select(".agenda-item-title")]


def test_add_a_topic_to_a_section(maya, planning):
    meeting_id, users, items = planning
    section = items["Capacity check"].section_id
    response = post_form(maya, f"/meetings/{meeting_id}/items", {
        "section_id": str(section), "title": "Holidays in May", "talking_points": "**Priya** is out 4–8 May",
        "owner_id": str(users["priya"]), "time_box_minutes": "5"}, token_from="/")
    assert response.status_code == 303
    titles = _titles(maya, meeting_id)
    assert titles.index("Holidays in May") == titles.index("Capacity check") + 1
    page = _page(maya.get(f"/meetings/{meeting_id}"))
    assert page.select_one(f"#item-{items['Capacity check'].id} ~ li .markdown strong").get_text() == "Priya"


def test_a_bad_topic_keeps_what_was_typed(maya, planning, db):
    meeting_id, users, items = planning
    section = items["Capacity check"].section_id
    key = f"new-item-{section}"
    response = post_form(maya, f"/meetings/{meeting_id}/items", {
        "section_id": str(section), "title": "", "talking_points": "kept text", "owner_id": str(users["sam"]),
        "time_box_minutes": "ninety"}, token_from="/")
    assert response.status_code == 400
    page = _page(response)
    assert page.select_one(f"#{key}-title-error").get_text() == "Enter a topic."
    assert page.select_one(f"#{key}-owner_id-error").get_text() == "Choose an attendee or a member of the team."
    assert page.select_one(f"#{key}-time_box_minutes-error").get_text().startswith("Enter whole minutes")
    assert page.select_one(f"#{key}-talking_points").get_text() == "kept text"
    assert page.select_one(f"#{key}-time_box_minutes")["value"] == "ninety"
    assert page.select_one("#error-summary")["role"] == "alert"
    with db.session() as session:
        assert session.scalar(select(AgendaItem).where(AgendaItem.talking_points == "kept text")) is None


def test_talking_points_are_sanitised(maya, planning):
    meeting_id, _, items = planning
    item = items["Capacity check"]
    post_form(maya, f"/meetings/{meeting_id}/items/{item.id}", {
        "version": str(item.version), "title": item.title, "owner_id": "", "time_box_minutes": "10",
        "talking_points": "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"},
        token_from="/")
    rendered = _page(maya.get(f"/meetings/{meeting_id}")).select_one(f"#item-{item.id} .markdown")
    assert rendered.find("script") is None and rendered.find("img") is None
    assert all(not a.get("href", "").startswith("javascript") for a in rendered.find_all("a"))
    assert "<script>alert(1)</script>" in rendered.get_text()  # shown as the text it is


def test_a_stale_edit_is_refused_and_the_typed_text_kept(maya, planning):
    meeting_id, _, items = planning
    item = items["Capacity check"]
    fields = {"owner_id": "", "time_box_minutes": "10", "talking_points": ""}
    first = post_form(maya, f"/meetings/{meeting_id}/items/{item.id}",
                      {**fields, "version": str(item.version), "title": "Capacity (Maya)"}, token_from="/")
    assert first.status_code == 303
    stale = post_form(maya, f"/meetings/{meeting_id}/items/{item.id}",
                      {**fields, "version": str(item.version), "title": "Capacity (Leo)"}, token_from="/")
    assert stale.status_code == 409
    page = _page(stale)
    assert "Someone changed this topic" in page.select_one("#conflict").get_text()
    assert "Capacity (Maya)" in page.select_one("#conflict").get_text()
    assert page.select_one(f"#item-{item.id}-title")["value"] == "Capacity (Leo)"
    assert "Capacity (Maya)" in _titles(maya, meeting_id)


def test_reorder_by_buttons_and_by_position(maya, planning):
    meeting_id, _, items = planning
    backlog = items["Alert tuning stories"]
    assert post_form(maya, f"/meetings/{meeting_id}/items/{items['Billing CSV export'].id}/move",
                     {"direction": "up"}, token_from="/").status_code == 303
    assert _titles(maya, meeting_id)[-2:] == ["Billing CSV export", "Alert tuning stories"]
    capacity_section = items["Capacity check"].section_id
    post_form(maya, f"/meetings/{meeting_id}/items/{backlog.id}/move",
              {"to_index": "0", "section_id": str(capacity_section)}, token_from="/")
    titles = _titles(maya, meeting_id)
    assert titles.index("Alert tuning stories") == titles.index("Capacity check") - 1


def test_states_delete_and_sections(maya, planning, db):
    meeting_id, _, items = planning
    item = items["Capacity check"]
    post_form(maya, f"/meetings/{meeting_id}/items/{item.id}/state", {"state": "discussed"}, token_from="/")
    bad = post_form(maya, f"/meetings/{meeting_id}/items/{item.id}/state", {"state": "finished"}, token_from="/")
    assert bad.status_code == 400
    post_form(maya, f"/meetings/{meeting_id}/sections", {"section_title": "Any other business"}, token_from="/")
    post_form(maya, f"/meetings/{meeting_id}/items/{items['Billing CSV export'].id}/delete", {}, token_from="/")
    post_form(maya, f"/meetings/{meeting_id}/sections/{item.section_id}/delete", {}, token_from="/")
    page = _page(maya.get(f"/meetings/{meeting_id}"))
    assert [h.get_text() for h in page.select(".agenda-section h3")] == ["Sprint goal", "Backlog", "Any other business"]
    assert "Billing CSV export" not in _titles(maya, meeting_id)
    with db.session() as session:
        kept = session.get(AgendaItem, item.id)
        assert kept.state is AgendaItemState.DISCUSSED and kept.section_id is None  # the topic stays


def test_shared_and_private_notes(maya, planning, app, db):
    from litestar.testing import TestClient

    from tests.conftest import sign_in

    meeting_id, _, items = planning
    post_form(maya, f"/meetings/{meeting_id}/notes", {"body": "We agreed on the goal.", "version": "0"},
              token_from="/")
    post_form(maya, f"/meetings/{meeting_id}/notes", {"body": "Priya seems tired.", "private": "on", "version": "0"},
              token_from="/")
    post_form(maya, f"/meetings/{meeting_id}/notes", {"body": "Two stories too many.", "version": "0",
                                                       "agenda_item_id": str(items["Capacity check"].id)},
              token_from="/")
    leo = TestClient(app)
    sign_in(leo, "leo@example.com")
    text = leo.get(f"/meetings/{meeting_id}").text
    assert "We agreed on the goal." in text and "Two stories too many." in text
    assert "Priya seems tired." not in text
    assert "Priya seems tired." in maya.get(f"/meetings/{meeting_id}").text
    stale = post_form(leo, f"/meetings/{meeting_id}/notes", {"body": "Leo's version", "version": "0"},
                      token_from="/")
    assert stale.status_code == 409
    assert "We agreed on the goal." in _page(stale).select_one("#conflict").get_text()
    assert _page(stale).select_one("#notes-meeting-shared-body").get_text() == "Leo's version"
    with db.session() as session:
        assert session.scalars(select(Note.body).where(Note.scope == "shared", Note.meeting_id == meeting_id)).one() \
            == "We agreed on the goal."


def test_action_items_inline(maya, planning, db):
    meeting_id, users, items = planning
    bad = post_form(maya, f"/meetings/{meeting_id}/action-items", {
        "title": "Book the room", "assignee_id": str(users["sam"]), "due_date": "next friday"}, token_from="/")
    assert bad.status_code == 400
    page = _page(bad)
    assert page.select_one("#na-assignee_id-error").get_text().startswith("Choose an attendee")
    assert page.select_one("#na-due_date-error").get_text() == "Enter a date like 2026-04-15."
    assert page.select_one("#na-title")["value"] == "Book the room"
    ok = post_form(maya, f"/meetings/{meeting_id}/action-items", {
        "title": "Book the room", "assignee_id": str(users["leo"]), "due_date": "2026-04-03",
        "agenda_item_id": str(items["Capacity check"].id)}, token_from="/")
    assert ok.status_code == 303
    with db.session() as session:
        action = session.scalars(select(ActionItem).where(ActionItem.title == "Book the room")).one()
    assert (action.assignee_id, action.due_date, action.agenda_item_id) == (
        users["leo"], date(2026, 4, 3), items["Capacity check"].id)
    done = post_form(maya, f"/meetings/{meeting_id}/action-items/{action.id}",
                     {"status": "done", "version": str(action.version)}, token_from="/")
    assert done.status_code == 303
    again = post_form(maya, f"/meetings/{meeting_id}/action-items/{action.id}",
                      {"status": "done", "version": str(action.version)}, token_from="/")
    assert again.status_code == 409
    with db.session() as session:
        action = session.get(ActionItem, action.id)
    assert action.status is ActionItemStatus.DONE and action.completed_at is not None


def test_decisions(maya, planning):
    meeting_id, _, items = planning
    assert post_form(maya, f"/meetings/{meeting_id}/decisions", {"decision": " "}, token_from="/").status_code == 400
    post_form(maya, f"/meetings/{meeting_id}/decisions", {
        "decision": "Ship the billing export first", "agenda_item_id": str(items["Billing CSV export"].id)},
        token_from="/")
    text = _page(maya.get(f"/meetings/{meeting_id}")).select_one(".decision-list").get_text()
    assert "Ship the billing export first" in text and "Billing CSV export" in text


def test_run_the_meeting_with_a_timer(maya, planning, clock):
    meeting_id, _, items = planning
    post_form(maya, f"/meetings/{meeting_id}/start", {}, token_from="/")
    clock.advance(minutes=4, seconds=30)
    page = _page(maya.get(f"/meetings/{meeting_id}"))
    current = page.select_one(".agenda-item.current")
    assert current.select_one(".agenda-item-title").get_text() == "Propose the sprint goal"
    assert current["aria-current"] == "step"
    assert page.select_one(".timer-value").get_text() == "5:30"  # a 10-minute time box
    clock.advance(minutes=6)
    assert _page(maya.get(f"/meetings/{meeting_id}")).select_one(".timer-value.over").get_text() == "-0:30"
    post_form(maya, f"/meetings/{meeting_id}/next", {}, token_from="/")
    page = _page(maya.get(f"/meetings/{meeting_id}"))
    assert page.select_one(".agenda-item.current .agenda-item-title").get_text() == "Capacity check"
    assert "state-discussed" in page.select_one(f"#item-{items['Propose the sprint goal'].id}")["class"]


def test_schedule_changes_explain_bad_input_beside_the_form(maya, planning, db):
    meeting_id, _, _ = planning
    moved = post_form(maya, f"/meetings/{meeting_id}/reschedule",
                      {"date": "someday", "time": "10:00", "duration_minutes": "45"}, token_from="/")
    assert moved.status_code == 400
    page = _page(moved)
    assert page.select_one("#rs-date-error").get_text() == "Enter a date like 2026-03-31."
    assert page.select_one("#rs-date")["value"] == "someday"
    named = post_form(maya, f"/meetings/{meeting_id}/save-as-template", {"name": "  "}, token_from="/")
    assert named.status_code == 400
    assert _page(named).select_one("#st-name-error").get_text() == "Name the template."
    with db.session() as session:
        one_on_one = session.scalars(select(Meeting).where(Meeting.title == "Maya / Leo 1-on-1")
                                     .order_by(Meeting.starts_at.desc())).first()
    series = post_form(maya, f"/series/{one_on_one.series_id}/change", {
        "meeting_id": str(one_on_one.id), "from_date": "2026-04-07", "time": "10:00", "duration_minutes": "30",
        "frequency": "weekly", "ends": "after", "count": "x"}, token_from="/")
    assert series.status_code == 400
    assert "Enter a number of meetings." in _page(series).select_one("#error-summary").get_text()
