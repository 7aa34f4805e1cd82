"""A person signs in to the demo workspace in Chromium and finds their meetings."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str, password: str = "meetings-demo") -> None:
    page.goto(base + "/")
    expect(page).to_have_title("Sign in · Meetings")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_browse_and_sign_out(page: Page, live_server: str, demo):
    sign_in(page, live_server, "leo@example.com", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The email address or the password is not right.")
    expect(page.get_by_label("Email address")).to_have_value("leo@example.com")  # kept what was typed
    expect(page.get_by_label("Password")).to_have_value("")  # but never a password

    page.get_by_label("Password").fill("meetings-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Dashboard · Meetings")
    expect(page.get_by_role("link", name="Leo Park")).to_be_visible()
    overdue = page.locator(".action-item.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("Draft a proposal for quieter disk alerts")

    page.locator("#upcoming-title ~ .meeting-list").get_by_role("link", name="Sprint 42 planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprint 42 planning")
    # Shown in the meeting's zone, whatever the browser's zone (Auckland here) is.
    expect(page.locator(".meeting-when time")).to_have_text("Tue 31 Mar 2026, 09:30 CEST")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Sprint goal", "Capacity", "Backlog"])

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in · Meetings")
    page.goto(live_server + "/meetings")
    expect(page).to_have_title("Sign in · Meetings")  # the old session is gone


def test_keyboard_user_can_skip_to_content(page: Page, live_server: str, demo):
    page.goto(live_server + "/signin")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
