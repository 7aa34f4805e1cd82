"""Take the README's screenshots from a running app: `make screenshots` (serve it first with `make run`).

Usage: python tools/screenshots.py [BASE_URL]
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

OUT = Path(__file__).parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(base_url: str = "http://127.0.0.1:8000") -> None:
    html = urlopen(base_url + "/meetings").read().decode()
    meeting_path = re.search(r'href="(/meetings/\d+)"', html).group(1)  # the first upcoming meeting
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1280, "height": 860}, color_scheme=scheme)
            suffix = "" if scheme == "light" else "-dark"
            page.goto(base_url + "/")
            page.screenshot(path=OUT / f"dashboard{suffix}.png", full_page=True)
            page.goto(base_url + meeting_path)
            page.screenshot(path=OUT / f"meeting{suffix}.png", full_page=True)
            page.close()
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(base_url + meeting_path)
        phone.screenshot(path=OUT / "meeting-phone.png")
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
