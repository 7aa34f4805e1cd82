"""Friendly error pages for people, problem details for the API, tracebacks in the log."""

import logging

from bs4 import BeautifulSoup
from litestar import get


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == "We couldn't find that page"
    assert page.find("a", href="/")


def test_api_errors_are_problem_details(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not Found"


def test_unknown_meeting_is_404(maya):
    assert maya.get("/meetings/424242").status_code == 404


def test_bad_path_parameter_is_not_a_500(maya):
    assert maya.get("/meetings/not-a-number").status_code == 404


def test_crash_shows_a_calm_500_and_logs_the_traceback(app, client, caplog):
    @get("/boom", sync_to_thread=False)
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.register(boom)
    with caplog.at_level(logging.ERROR, logger="meetings.web"):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert BeautifulSoup(response.text, "html.parser").h1.get_text() == "Something went wrong"
    record = next(r for r in caplog.records if r.name == "meetings.web")
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "GET /boom" in record.getMessage()
