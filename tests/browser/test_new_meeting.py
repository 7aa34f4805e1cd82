"""A manager picks the 1-on-1 template in the gallery and schedules a weekly 1-on-1 in Chromium."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browse_demo import sign_in

pytestmark = pytest.mark.browser


def test_create_a_one_on_one_from_its_template(page: Page, live_server: str, demo):
    sign_in(page, live_server, "maya@example.com")
    page.get_by_role("link", name="Templates").click()
    card = page.locator("article", has=page.get_by_role("heading", name="1-on-1", exact=True))
    card.get_by_text("Preview the agenda").click()
    expect(card.locator(".template-preview")).to_contain_text("How are you doing?")
    card.get_by_role("link", name="Use this template").click()

    expect(page.get_by_label("Template")).to_have_value("one-on-one")
    page.get_by_label("Team", exact=True).select_option(label="Platform")
    page.get_by_label("Priya Raman").check()
    page.get_by_label("Date", exact=True).fill("2026-04-07")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Private 1-on-1: the two of us only").check()
    page.get_by_label("How often").select_option("weekly")
    page.get_by_role("button", name="Create meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Chen / Priya Raman 1-on-1")
    expect(page.locator(".meeting-when time")).to_have_text("Tue 7 Apr 2026, 09:30 CEST")
    expect(page.locator(".series-nav")).to_contain_text("Every week on Tuesday")
    expect(page.get_by_role("heading", level=3)).to_have_text(
        ["Check-in", "Priya Raman's topics", "Maya Chen's topics", "Feedback and growth"])
    expect(page.locator(".time-budget")).to_have_text("30 min planned of 30 min")
