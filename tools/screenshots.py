"""Take the README's screenshots from a running app: `make screenshots` (serve it first with `make run`).

Usage: python tools/screenshots.py [BASE_URL]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).parent.parent / "docs" / "screenshots"
EMAIL, PASSWORD = "maya@example.com", "meetings-demo"  # the demo workspace's admin
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/signin")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")


def main(base_url: str = "http://127.0.0.1:8000") -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base_url + "/signin")
        page.screenshot(path=OUT / "signin.png")
        sign_in(page, base_url)
        page.goto(base_url + "/meetings")
        meeting_path = page.locator(".meeting-list a").first.get_attribute("href")  # the first upcoming meeting
        page.close()
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1280, "height": 860}, color_scheme=scheme)
            sign_in(page, base_url)
            suffix = "" if scheme == "light" else "-dark"
            page.goto(base_url + "/")
            page.screenshot(path=OUT / f"dashboard{suffix}.png", full_page=True)
            page.goto(base_url + meeting_path)
            page.screenshot(path=OUT / f"meeting{suffix}.png", full_page=True)
            if scheme == "light":
                for name, path in (("action-items", "/action-items"), ("templates", "/templates"),
                                   ("new-meeting", "/meetings/new?template=one-on-one"),
                                   ("week", "/meetings?view=week"), ("reminders", "/settings/notifications"),
                                   ("webhooks", "/teams/1/webhooks"), ("import", "/meetings/import")):
                    page.goto(base_url + path)
                    page.screenshot(path=OUT / f"{name}.png", full_page=True)
            page.close()
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        sign_in(phone, base_url)
        phone.goto(base_url + meeting_path)
        phone.screenshot(path=OUT / "meeting-phone.png")
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
