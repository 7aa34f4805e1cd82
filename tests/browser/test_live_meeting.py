"""Several people on one meeting page in real Chromium contexts: notes typed together at the same
time, presence, live refreshes that leave what someone types alone, and a dropped connection."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect
from sqlalchemy import select

from meetings.models import Note
from tests.browser.test_browse_demo import sign_in

pytestmark = pytest.mark.browser

NOTES = "#notes-meeting-shared-body"

# Types ``text`` at the caret as a person does, one character every few milliseconds, in the page
# itself, so that every page types at the same time (Playwright's own calls would take turns).
TYPE_IN_PAGE = """async ([selector, text, at]) => {
  const area = document.querySelector(selector);
  area.focus();
  const start = at === "end" ? area.value.length : at;
  area.setSelectionRange(start, start);
  for (const ch of text) {
    const pos = area.selectionStart;
    area.value = area.value.slice(0, pos) + ch + area.value.slice(area.selectionEnd);
    area.setSelectionRange(pos + 1, pos + 1);
    area.dispatchEvent(new InputEvent("input", { bubbles: true, data: ch, inputType: "insertText" }));
    await new Promise((resolve) => setTimeout(resolve, 4 + Math.random() * 8));
  }
}"""


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the merge itself runs on both backends in tests/test_live_socket.py


def converged(pages: list[Page], timeout: float = 10.0) -> str:
    """The notes' text once every page shows the same one (and it stays so for a moment)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        values = [page.locator(NOTES).input_value() for page in pages]
        if len(set(values)) == 1 and values[0] == last:
            return last
        last = values[0] if len(set(values)) == 1 else None
        time.sleep(0.2)
    raise AssertionError(f"the pages did not converge: {values!r}")


def open_planning(browser: Browser, base: str, email: str, route=None) -> tuple[BrowserContext, Page]:  # noqa: ANN001
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1600})
    if route is not None:
        context.route_web_socket(re.compile(r".*/live$"), route)
    page = context.new_page()
    sign_in(page, base, email)
    page.goto(base + "/meetings")
    page.get_by_role("link", name="Sprint 42 planning").first.click()
    expect(page.locator(NOTES)).to_have_attribute("data-live-synced", "1")
    return context, page


def test_three_people_type_into_the_same_note_at_the_same_time(browser: Browser, live_server: str, demo, db):
    people = [open_planning(browser, live_server, f"{name}@example.com") for name in ("maya", "leo", "priya")]
    pages = [page for _, page in people]
    try:
        expect(pages[0].locator("#presence .presence-list")).to_have_text("Leo Park, Maya Chen, Priya Raman")
        pages[0].locator(NOTES).press_sequentially("Notes:\n\n---\n")  # real key presses
        for page in pages:
            expect(page.locator(NOTES)).to_have_value("Notes:\n\n---\n")
        texts = {"maya": "Maya writes the goal. ", "leo": "Leo lists three risks. ", "priya": "Priya adds capacity."}
        starts = [7, 7, "end"]  # Maya and Leo at the same place, Priya at the end
        for page, text, at in zip(pages, texts.values(), starts, strict=True):
            page.evaluate(f"(args) => {{ window.typing = ({TYPE_IN_PAGE})(args); }}", [NOTES, text, at])
        for page in pages:
            page.evaluate("() => window.typing")  # waits until that page has typed everything
        value = converged(pages)
        for text in texts.values():
            assert text in value, f"{text!r} lost: {value!r}"
        assert value.startswith("Notes:\n") and "---\n" in value
        # The presence list shows who edits the notes.
        expect(pages[1].locator("#presence")).to_contain_text("(editing Shared notes)")
    finally:
        for context, _ in people:
            context.close()
    with db.session() as session:
        assert session.scalar(select(Note.body).where(Note.scope == "shared", Note.body.like("Notes:%"))) == value


def test_changes_appear_without_reloading_and_leave_typing_alone(browser: Browser, live_server: str, demo):
    (maya_context, maya), (leo_context, leo) = (open_planning(browser, live_server, "maya@example.com"),
                                                open_planning(browser, live_server, "leo@example.com"))
    try:
        url = maya.url
        maya.evaluate("() => { window.notReloaded = true; }")
        decision = maya.get_by_label("Decision", exact=True)
        decision.fill("We ship on Fri")  # typing, not sent yet
        leo.get_by_label("Decision", exact=True).fill("Billing export goes first")
        leo.get_by_role("button", name="Record decision").click()
        expect(maya.locator(".decision-list")).to_contain_text("Billing export goes first")
        expect(decision).to_have_value("We ship on Fri")
        expect(decision).to_be_focused()
        assert maya.url == url and maya.evaluate("() => window.notReloaded")
        decision.press_sequentially("day")
        expect(decision).to_have_value("We ship on Friday")
        expect(maya.locator("#presence .presence-list")).to_have_text("Leo Park, Maya Chen (editing Decision)")

        # Both edit the same topic; Leo saves first. Maya's open form keeps what she typed, and her
        # save, made from the older version, is refused with the current value shown.
        item_id = maya.locator(".agenda-item", has_text="Capacity check").get_attribute("id")
        mine, his = maya.locator(f"#{item_id}"), leo.locator(f"#{item_id}")
        mine.get_by_text("Edit").click()
        mine.get_by_label("Time box in minutes").fill("25")
        his.get_by_text("Edit").click()
        his.get_by_label("Topic", exact=True).fill("Capacity and holidays")
        his.get_by_role("button", name="Save topic").click()
        expect(mine.locator(".agenda-item-title")).to_have_text("Capacity and holidays")
        expect(mine.get_by_label("Time box in minutes")).to_have_value("25")
        expect(mine.get_by_label("Topic", exact=True)).to_have_value("Capacity check")
        mine.get_by_role("button", name="Save topic").click()
        expect(maya.locator("#conflict")).to_be_visible()
        expect(maya.locator(f"#{item_id} .agenda-item-title")).to_have_text("Capacity and holidays")
        leo_context.close()
        expect(maya.locator("#presence .presence-list")).to_have_text("Maya Chen")
        expect(maya.locator("#presence-news")).to_have_text("Leo Park left")
    finally:
        maya_context.close()
        leo_context.close()


def test_edits_made_offline_are_merged_when_the_connection_is_back(browser: Browser, live_server: str, demo):
    # Leo's socket goes through a route that can cut it, and refuse new ones while he is "offline".
    network = {"offline": False, "sockets": []}

    def route(ws: WebSocketRoute) -> None:
        if network["offline"]:
            ws.close(code=1001, reason="offline")
            return
        ws.connect_to_server()
        network["sockets"].append(ws)

    (maya_context, maya), (leo_context, leo) = (open_planning(browser, live_server, "maya@example.com"),
                                                open_planning(browser, live_server, "leo@example.com", route))
    try:
        maya.locator(NOTES).press_sequentially("Online. ")
        expect(leo.locator(NOTES)).to_have_value("Online. ")
        network["offline"] = True
        for ws in network["sockets"]:
            ws.close(code=1001, reason="dropped")
        expect(leo.locator("article.meeting")).to_have_attribute("data-live-state", "offline")
        leo_notes = leo.locator(NOTES)
        leo_notes.press("End")
        leo_notes.press_sequentially("Leo, offline. ")
        maya.locator(NOTES).press("End")
        maya.locator(NOTES).press_sequentially("Maya, meanwhile. ")
        expect(leo.locator(".live-note-status").first).to_contain_text("Offline: your changes are kept")
        network["offline"] = False
        expect(leo.locator("article.meeting")).to_have_attribute("data-live-state", "online", timeout=15_000)
        value = converged([maya, leo])
        assert re.fullmatch(r"Online\. (?=.*Leo, offline\. )(?=.*Maya, meanwhile\. ).*", value, re.DOTALL), value
    finally:
        maya_context.close()
        leo_context.close()
