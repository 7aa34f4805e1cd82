"""An admin invites someone in Chromium; the invitee opens the emailed link and joins the team."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_browse_demo import sign_in

pytestmark = pytest.mark.browser


def test_invite_and_accept_in_the_browser(page: Page, browser: Browser, live_server: str, demo):
    sign_in(page, live_server, "maya@example.com")
    page.get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="Platform").click()
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#f-email-error")).to_have_text("Enter a valid email address, like name@example.com.")
    expect(page.get_by_label("Email address")).to_have_value("not an email")

    page.get_by_label("Email address").fill("newcomer@example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text("An invitation was emailed to newcomer@example.com.")

    # No SMTP server here: the email waits in the mailbox, where the admin finds the link.
    page.get_by_role("link", name="Mailbox").click()
    page.get_by_role("link", name="Maya Chen invited you to Platform").click()
    link = re.search(r"http://\S+/invitations/\S+", page.locator(".mail-body").inner_text()).group(0)
    path = link[link.index("/invitations/"):]

    guest = browser.new_context(timezone_id="America/New_York")
    invitee = guest.new_page()
    invitee.goto(live_server + path)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join the team")
    invitee.get_by_label("Your name").fill("Nia Newcomer")
    invitee.get_by_label("Choose a password").fill("short")
    invitee.get_by_label("Time zone").select_option("America/New_York")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee.locator("#f-password-error")).to_have_text("Use at least 8 characters.")
    expect(invitee.get_by_label("Your name")).to_have_value("Nia Newcomer")
    expect(invitee.get_by_label("Time zone")).to_have_value("America/New_York")
    invitee.get_by_label("Choose a password").fill("a long password")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_title("Dashboard · Meetings")
    expect(invitee.get_by_role("link", name="Nia Newcomer")).to_be_visible()
    expect(invitee.locator(".team-list")).to_contain_text("Platform")
    guest.close()
