"""A person opens the app in Chromium and finds the demo workspace."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_dashboard_to_meeting_page(page: Page, live_server: str, demo):
    page.goto(live_server + "/")
    expect(page).to_have_title("Dashboard · Meetings")
    expect(page.get_by_role("heading", name="Upcoming meetings")).to_be_visible()
    overdue = page.locator(".action-item.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("Draft a proposal for quieter disk alerts")

    page.locator(".meeting-list").get_by_role("link", name="Sprint 42 planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprint 42 planning")
    # Shown in the meeting's zone, whatever the browser's zone (Auckland here) is.
    expect(page.locator(".meeting-when time")).to_have_text("Tue 31 Mar 2026, 09:30 CEST")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Sprint goal", "Capacity", "Backlog"])


def test_keyboard_user_can_skip_to_content(page: Page, live_server: str):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
