"""The meeting journeys in Chromium: agenda, reordering, notes, action items, running the meeting."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browse_demo import sign_in

pytestmark = pytest.mark.browser


def open_one_on_one(page: Page, base: str) -> None:
    sign_in(page, base, "maya@example.com")
    page.locator("#upcoming-title ~ .meeting-list").get_by_role("link", name="Maya / Leo 1-on-1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya / Leo 1-on-1")


def drag(page: Page, source, target) -> None:  # noqa: ANN001 (Playwright locators)
    """Drag with the mouse in small steps, as a person does (SortableJS follows pointer moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
        page.wait_for_timeout(30)  # one animation frame or two: SortableJS reacts to moves per frame
    page.mouse.up()


def test_agenda_notes_and_action_items(page: Page, live_server: str, demo):
    open_one_on_one(page, live_server)
    url = page.url
    def new_topic():
        section = page.locator(".agenda-section", has=page.get_by_role("heading", name="Growth"))
        return section.locator("details.new-item")

    new_topic().get_by_text("Add a topic").click()
    new_topic().get_by_role("button", name="Add topic").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter a topic.")
    expect(page.locator("#error-summary")).to_be_focused()
    growth = new_topic()
    growth.get_by_label("Topic", exact=True).fill("Conference talk proposal")
    growth.get_by_label("Talking points (Markdown)").fill("Draft **abstract** by Friday")
    growth.get_by_label("Owner or presenter").select_option(label="Leo Park")
    growth.get_by_label("Time box in minutes").fill("5")
    growth.get_by_role("button", name="Add topic").click()
    expect(page.locator(".agenda-item-title").last).to_have_text("Conference talk proposal")
    expect(page.locator(".agenda-item").last.locator(".markdown strong")).to_have_text("abstract")
    assert page.url == url  # no full page load: the page was updated in place
    expect(page.locator(".time-budget")).to_contain_text("35 min planned of 30 min: over the meeting's length")

    # Reorder by keyboard: the "Move up" button, reached with Tab and pressed with Enter.
    page.get_by_role("button", name="Move up: Conference talk proposal").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".agenda-item-title").nth(-2)).to_have_text("Conference talk proposal")

    # Reorder by dragging, within the Growth section: its last topic onto its first one's place.
    growth_items = page.locator(".agenda-section", has=page.get_by_role("heading", name="Growth")).locator(".agenda-item")
    growth_items.last.scroll_into_view_if_needed()
    drag(page, growth_items.last.locator(".drag-handle"), growth_items.first.locator(".drag-handle"))
    expect(growth_items.locator(".agenda-item-title")).to_have_text(
        ["Mentoring the new hire", "Conference talk proposal"])

    # Mark discussed.
    page.get_by_role("button", name="Mark discussed: How was the week?").click()
    expect(page.locator(".agenda-item", has_text="How was the week?")).to_have_class(re.compile("state-discussed"))

    # Shared notes and private notes.
    page.get_by_label("Shared notes", exact=True).fill("Leo will present at the meetup.")
    page.get_by_role("button", name="Save shared notes").click()
    expect(page.locator(".notes.markdown").first).to_contain_text("Leo will present at the meetup.")
    page.get_by_label("My private notes", exact=True).fill("Ask about workload next time.")
    page.get_by_role("button", name="Save my private notes").click()
    expect(page.locator(".private-note")).to_contain_text("Ask about workload next time.")

    # An action item for the other person, from a topic.
    page.get_by_text("Add an action item").click()
    page.get_by_label("What needs doing").fill("Send the talk abstract to Maya")
    page.locator("#na-assignee_id").select_option(label="Leo Park")
    page.locator("#na-due_date").fill("2026-04-03")
    page.locator("#na-agenda_item_id").select_option(label="Conference talk proposal")
    page.get_by_role("button", name="Add action item").click()
    action = page.locator(".action-item", has_text="Send the talk abstract to Maya")
    expect(action).to_contain_text("Leo Park")
    expect(action).to_contain_text("from “Conference talk proposal”")

    page.reload()  # everything was saved, not only shown
    expect(page.locator(".agenda-item-title").nth(-2)).to_have_text("Mentoring the new hire")
    expect(page.locator(".private-note")).to_contain_text("Ask about workload next time.")


def test_run_the_meeting_and_complete_an_action_item(page: Page, live_server: str, demo):
    open_one_on_one(page, live_server)
    page.get_by_role("button", name="Start the meeting").click()
    current = page.locator(".agenda-item.current")
    expect(current.locator(".agenda-item-title")).to_have_text("How was the week?")
    timer = page.locator(".timer .timer-value")
    expect(timer).to_have_text(re.compile(r"^-?\d+:\d\d$"))
    page.get_by_role("button", name="Discussed, next topic").click()
    expect(page.locator(".agenda-item.current .agenda-item-title")).to_have_text("Conference budget for KubeCon")

    page.get_by_role("link", name="Action items").click()
    expect(page).to_have_title("Action items · Meetings")
    row = page.locator(".action-row", has_text="Ask finance about the conference budget")
    row.get_by_role("button", name="Complete Ask finance about the conference budget").click()
    expect(page.locator(".action-row", has_text="Ask finance about the conference budget")).to_have_count(0)
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".action-row", has_text="Ask finance about the conference budget")).to_have_count(1)
