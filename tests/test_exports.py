"""Exports: CSV and JSON parsed back and compared with the database, injection, permissions, memory,
iCalendar parsed with the icalendar library, Markdown minutes."""

import csv
import io
import json
import re
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from litestar.testing import TestClient
from sqlalchemy import insert, select

from meetings.cli import main
from meetings.domain.action_item_export import EXPORT_COLUMNS, ActionItemFilter, export_rows
from meetings.integrations.csv_export import csv_chunks
from meetings.models import ActionItem, ActionItemStatus, Meeting, User
from tests.conftest import FIXED_NOW, post_form, sign_in


def _csv(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _ids(db):
    with db.session() as session:
        return {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}


def test_csv_has_the_columns_importers_map_and_matches_the_database(maya, db):
    rows = _csv(maya.get("/action-items/export.csv?scope=all&status=all"))
    assert list(rows[0].keys()) == EXPORT_COLUMNS
    assert {"Summary", "Name", "Description", "Assignee", "Due Date"} <= set(rows[0])  # Jira and Asana
    with db.session() as session:
        expected = session.execute(select(ActionItem.title, User.email, ActionItem.due_date)
                                   .join(User, User.id == ActionItem.assignee_id)).all()
    # Maya may see every demo meeting she attends: the 1-on-1, the planning, the roadmap review.
    assert sorted((r["Summary"], r["Assignee"], r["Due Date"]) for r in rows) == sorted(
        (t, e, d.isoformat()) for t, e, d in expected)
    first = next(r for r in rows if r["Summary"].startswith("Draft a proposal"))
    assert first["Status"] == "open" and first["Agenda Item"] == "On-call load"
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/meetings/\d+#action-\d+", first["URL"])
    assert datetime.fromisoformat(first["Meeting Date"]).tzinfo is not None


def test_csv_for_excel_starts_with_a_byte_order_mark(maya):
    response = maya.get("/action-items/export.csv?scope=all&bom=on")
    assert response.content.startswith("\ufeff".encode()) and b"\r\n" in response.content


@pytest.mark.parametrize("payload", ['=1+2";=1+2', "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rCR", "\nLF"])
def test_formula_injection_is_neutralised(maya, db, payload):
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id).where(Meeting.title == "Sprint 42 planning")).one()
        maya_id = session.scalars(select(User.id).where(User.email == "maya@example.com")).one()
        session.add(ActionItem(title=payload, description=payload, meeting_id=meeting_id, assignee_id=maya_id))
    rows = _csv(maya.get("/action-items/export.csv?scope=mine"))
    row = next(r for r in rows if r["Summary"].endswith(payload.lstrip()) or r["Summary"] == "'" + payload)
    assert row["Summary"] == "'" + payload and row["Description"] == "'" + payload
    assert len(row) == len(EXPORT_COLUMNS)  # quotes in the payload did not split the cell


def test_exports_follow_the_filters_and_never_show_what_cannot_be_seen(app, demo, db):
    leo = TestClient(app)
    sign_in(leo, "leo@example.com")
    everything = {r["Summary"] for r in _csv(leo.get("/action-items/export.csv?scope=all&status=all"))}
    assert "Send the reliability cost estimate to Elena" not in everything  # roadmap review: not his
    overdue = _csv(leo.get("/action-items/export.csv?scope=all&overdue=on"))
    assert [r["Summary"] for r in overdue] == ["Draft a proposal for quieter disk alerts"]
    ranged = _csv(leo.get("/action-items/export.csv?scope=all&due_after=2026-03-28&due_before=2026-04-30"))
    assert {r["Due Date"] for r in ranged} <= {"2026-03-28", "2026-04-04"} and ranged
    bad = leo.get("/action-items/export.csv?due_after=soon")
    assert bad.status_code == 422 and "Enter a date like 2026-04-15." in bad.text
    page = leo.get("/action-items?scope=all&status=all")
    assert 'href="/action-items/export.csv?scope=all&amp;status=all&amp;sort=due"' in page.text  # what you see


def test_json_export_and_api_list(maya, db):
    data = json.loads(maya.get("/action-items/export.json?scope=all&status=all").text)
    assert {d["Summary"] for d in data} >= {"Draft a proposal for quieter disk alerts"}
    token = re.search(r'id="new-token">([^<]+)<', post_form(maya, "/settings/tokens", {"token_name": "x"},
                                                             token_from="/settings").text).group(1)
    api = maya.get("/api/v1/action-items?scope=all&status=all", headers={"Authorization": f"Bearer {token}"})
    assert api.json()["page"] == 1 and len(api.json()["items"]) == len(data)
    api_csv = maya.get("/api/v1/action-items/export.csv?scope=all&status=all",
                       headers={"Authorization": f"Bearer {token}"})
    assert len(_csv(api_csv)) == len(data)


def test_cli_export_to_a_file_and_as_a_user(database_url, db, demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "items.csv"
    runner = CliRunner()
    env = {"MEETINGS_DATABASE_URL": database_url}
    result = runner.invoke(main, ["export", "action-items", "--output", str(out), "--status", "all"], env=env)
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(out.open(encoding="utf-8", newline="")))) == 4
    as_leo = runner.invoke(main, ["export", "action-items", "--as", "leo@example.com", "--format", "json"], env=env)
    assert {d["Summary"] for d in json.loads(as_leo.output)} == {
        "Draft a proposal for quieter disk alerts", "Ask finance about the conference budget",
        "Split the billing export story into API and UI parts"}
    bad = runner.invoke(main, ["export", "action-items", "--as", "nobody@example.com"], env=env)
    assert bad.exit_code == 2 and "no user with the address" in bad.output


def test_a_large_export_streams_in_flat_memory(db, demo):
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id)).first()
        user_id = session.scalars(select(User.id)).first()
    rows = [{"title": f"Item {n}", "description": "x" * 100, "meeting_id": meeting_id, "assignee_id": user_id,
             "due_date": date(2026, 4, 1), "status": ActionItemStatus.OPEN, "created_at": FIXED_NOW,
             "updated_at": FIXED_NOW, "version": 1, "overdue_reminders_sent": 0} for n in range(40_000)]

    def peak_for(count: int) -> tuple[int, int]:
        with db.session() as session:
            session.execute(insert(ActionItem), rows[:count])
        tracemalloc.start()
        with db.session(write=False) as session:
            written = sum(len(chunk) for chunk in csv_chunks(EXPORT_COLUMNS, export_rows(
                session, ActionItemFilter(scope="all", status="all"), None, FIXED_NOW.date(), "http://x")))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return written, peak

    small_bytes, small_peak = peak_for(4_000)
    big_bytes, big_peak = peak_for(36_000)  # ten times the rows in the table now
    assert big_bytes > 9 * small_bytes
    assert big_peak < small_peak * 2, (small_peak, big_peak)  # memory does not grow with the rows


def test_meeting_ics_and_subscription_feed(maya, app, db):
    with db.session() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.title == "Sprint 42 planning")).one()
    ics = maya.get(f"/meetings/{meeting.id}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.uid}@127.0.0.1"
    assert event.decoded("DTSTART") == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event["DTSTAMP"] and int(event["SEQUENCE"]) == 0

    page = post_form(maya, "/settings/calendar-token", {}, token_from="/settings")
    feed_url = re.search(r'id="feed-url">([^<]+)<', page.text).group(1)
    path = feed_url.removeprefix("http://127.0.0.1:8000")
    anonymous = TestClient(app)
    feed = Calendar.from_ical(anonymous.get(path).content)
    assert {str(e["SUMMARY"]) for e in feed.walk("VEVENT")} >= {"Sprint 42 planning", "Q3 roadmap review"}
    todos = {str(t["SUMMARY"]): t for t in feed.walk("VTODO")}
    todo = todos["Ask finance about the conference budget"]
    assert str(todo["STATUS"]) == "NEEDS-ACTION" and todo.decoded("DUE") == date(2026, 3, 28)
    assert str(todo["RELATED-TO"]).endswith("@127.0.0.1") and str(todo["URL"]).startswith("http://127.0.0.1:8000/")
    # Complete it: the feed says COMPLETED with the time in UTC.
    with db.session() as session:
        action = session.scalars(select(ActionItem).where(ActionItem.title == todo["SUMMARY"])).one()
        action.status, action.completed_at = ActionItemStatus.DONE, FIXED_NOW + timedelta(hours=1)
    done = {str(t["SUMMARY"]): t for t in Calendar.from_ical(anonymous.get(path).content).walk("VTODO")}
    finished = done["Ask finance about the conference budget"]
    assert str(finished["STATUS"]) == "COMPLETED"
    assert finished.decoded("COMPLETED") == datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert finished["COMPLETED"].to_ical().endswith(b"Z")
    # Resetting the address turns the old one off.
    post_form(maya, "/settings/calendar-token", {}, token_from="/settings")
    assert anonymous.get(path).status_code == 404


def test_markdown_minutes(maya, db):
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id).where(Meeting.title == "Maya / Leo 1-on-1")
                                     .order_by(Meeting.starts_at)).first()
    text = maya.get(f"/meetings/{meeting_id}/minutes.md").text
    assert text.startswith("# Maya / Leo 1-on-1\n")
    assert "- [x] On-call load (Leo Park)" in text and "- [-] Conference budget for KubeCon (Leo Park)" in text
    assert "## Decisions\n\n- Leo leads the alert-tuning work in the next sprint." in text
    assert "- [ ] Draft a proposal for quieter disk alerts — Leo Park, due 2026-03-26 (from “On-call load”)" in text


def test_bulk_complete_and_paging(maya, db):
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id).where(Meeting.title == "Sprint 42 planning")).one()
        maya_id = session.scalars(select(User.id).where(User.email == "maya@example.com")).one()
        session.add_all([ActionItem(title=f"Chore {n:02d}", meeting_id=meeting_id, assignee_id=maya_id)
                         for n in range(60)])
    first = maya.get("/action-items?scope=mine&sort=title")
    assert 'rel="next"' in first.text and first.text.count('class="action-row') == 50
    second = maya.get("/action-items?scope=mine&sort=title&page=2")
    assert second.text.count('class="action-row') == 62 - 50
    with db.session() as session:
        ids = list(session.scalars(select(ActionItem.id).where(ActionItem.title.startswith("Chore"))))
    empty = post_form(maya, "/action-items/bulk", {"action": "complete", "back": "scope=mine"}, token_from="/")
    assert empty.status_code == 400 and "Choose at least one" in empty.text
    done = post_form(maya, "/action-items/bulk", {"ids": [str(i) for i in ids], "action": "complete",
                                                   "back": "scope=mine"}, token_from="/")
    assert done.status_code == 303
    with db.session() as session:
        assert set(session.scalars(select(ActionItem.status).where(ActionItem.id.in_(ids)))) == {ActionItemStatus.DONE}
