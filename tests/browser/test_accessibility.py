"""Automated accessibility checks (axe-core, from the npm registry) on the main pages, light and dark.

axe finds missing labels, bad contrast, broken ARIA and landmark problems; keyboard journeys are
tested in the other browser tests.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.test_browse_demo import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/meetings", "/meetings?view=week&week=2026-03-30", "/meetings/2", "/meetings/3", "/meetings/new",
         "/action-items", "/templates", "/templates/one-on-one", "/teams", "/teams/1/webhooks", "/settings",
         "/settings/notifications", "/admin/users", "/mailbox",
         "/meetings/import"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_accessibility_violations(browser: Browser, live_server: str, demo, scheme: str):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make install` (npm ci)")
    # bypass_csp: the page's own policy forbids injected scripts, which is what the test must do here.
    context = browser.new_context(color_scheme=scheme, bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "maya@example.com")
    failures = []
    for path in ["/signin-as-anonymous", *PAGES]:
        if path == "/signin-as-anonymous":
            anonymous = context.browser.new_context(color_scheme=scheme, bypass_csp=True)
            target = anonymous.new_page()
            target.goto(live_server + "/signin")
        else:
            target = page
            target.goto(live_server + path)
        target.add_script_tag(path=str(AXE))
        result = target.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            nodes = "; ".join(n["target"][0] for n in violation["nodes"][:3])
            failures.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} at {nodes}")
        if target is not page:
            target.context.close()
    context.close()
    assert not failures, "\n".join(failures)
