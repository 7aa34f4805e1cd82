"""Emails through the outbox: a real SMTP server, outages and retries, and the in-app mailbox."""

import json
from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import select

from meetings.app import create_app
from meetings.domain.accounts import request_password_reset
from meetings.integrations.email_delivery import SmtpTransport, deliver_pending
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.models import OutboxMessage, OutboxStatus, Team
from meetings.settings import Settings
from tests.conftest import EMAIL_SECRET, FIXED_NOW, post_form, sign_in
from tests.smtp_server import SmtpServer

MAIL_FROM = "Meetings <meetings@example.com>"


def _queue_reset(db, email="leo@example.com", now=FIXED_NOW):
    with db.session() as session:
        request_password_reset(session, JinjaEmailComposer("http://meet.example.com", EMAIL_SECRET), email, now)


def _rows(db):
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_invitation_arrives_over_smtp(tmp_path, database_url, demo, smtp, clock):
    settings = Settings.from_mapping({"data_dir": tmp_path, "database_url": database_url, "smtp_url": smtp.url,
                                      "scheduler": False,
                                      "mail_from": MAIL_FROM, "base_url": "https://meet.example.com"})
    with TestClient(create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        sign_in(client, "maya@example.com")
        team_id = int(client.get("/teams").text.split('href="/teams/')[1].split('"')[0])
        response = post_form(client, f"/teams/{team_id}/invitations", {"email": "new@example.com"}, token_from="/")
        assert response.status_code == 303
    [message] = smtp.handler.messages
    assert message["To"] == "new@example.com"
    assert message["From"] == MAIL_FROM
    assert message["Subject"].startswith("Maya Chen invited you to")
    assert message["Message-ID"].endswith("@meet.example.com>")
    assert message["Date"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://meet.example.com/invitations/" in text and "https://meet.example.com/invitations/" in html


def test_smtp_outage_then_recovery_delivers_each_message_once(db, demo):
    server = SmtpServer()  # not started: the mail server is down
    transport = SmtpTransport(server.url, timeout=5)
    _queue_reset(db, "leo@example.com")
    _queue_reset(db, "priya@example.com")
    first = deliver_pending(db, transport, MAIL_FROM, FIXED_NOW)
    assert (first.sent, first.retrying) == (0, 2)
    rows = _rows(db)
    assert all(r.status is OutboxStatus.PENDING and r.attempts == 1 for r in rows)
    assert all(r.next_attempt_at == FIXED_NOW + timedelta(minutes=1) for r in rows)
    assert "cannot reach the mail server" in rows[0].last_error
    message_ids = [r.message_id for r in rows]

    assert deliver_pending(db, transport, MAIL_FROM, FIXED_NOW + timedelta(seconds=30)).sent == 0  # not due yet
    server.start()
    try:
        second = deliver_pending(db, transport, MAIL_FROM, FIXED_NOW + timedelta(minutes=2))
        third = deliver_pending(db, transport, MAIL_FROM, FIXED_NOW + timedelta(hours=1))
    finally:
        server.stop()
    assert (second.sent, third.sent) == (2, 0)
    received = server.handler.messages
    assert sorted(m["To"] for m in received) == ["leo@example.com", "priya@example.com"]
    assert sorted(m["Message-ID"] for m in received) == sorted(message_ids)  # same ID across retries
    assert all(r.status is OutboxStatus.SENT for r in _rows(db))


def test_a_temporary_refusal_is_retried_with_backoff(db, demo, smtp):
    smtp.handler.reply = "451 4.3.0 Try again later"
    transport = SmtpTransport(smtp.url, timeout=5)
    _queue_reset(db)
    deliver_pending(db, transport, MAIL_FROM, FIXED_NOW)
    deliver_pending(db, transport, MAIL_FROM, FIXED_NOW + timedelta(minutes=1))
    [row] = _rows(db)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 2)
    assert row.next_attempt_at == FIXED_NOW + timedelta(minutes=1) + timedelta(minutes=2)
    assert row.last_error.startswith("451")
    smtp.handler.reply = None
    assert deliver_pending(db, transport, MAIL_FROM, FIXED_NOW + timedelta(minutes=5)).sent == 1
    assert len(smtp.handler.messages) == 1


def test_a_permanent_refusal_is_recorded_for_admins(db, demo, smtp):
    smtp.handler.reply = "550 5.1.1 No such user"
    _queue_reset(db)
    report = deliver_pending(db, SmtpTransport(smtp.url, timeout=5), MAIL_FROM, FIXED_NOW)
    assert report.failed == 1
    [row] = _rows(db)
    assert row.status is OutboxStatus.FAILED and row.last_error.startswith("550")


def test_without_smtp_emails_wait_in_the_mailbox(maya, app, db):
    post_form(maya, "/password/forgot", {"email": "leo@example.com"})
    [row] = _rows(db)
    assert row.status is OutboxStatus.KEPT
    assert "Reset your Meetings password" in maya.get("/mailbox").text  # admins see every email
    assert "/password/reset/" in maya.get(f"/mailbox/{row.id}").text
    frame = maya.get(f"/mailbox/{row.id}/html")  # the HTML part, in the product's look, sandboxed
    assert frame.status_code == 200 and frame.text.startswith("<!doctype html>") and "background:#f7f7f5" in frame.text
    assert "script-src" not in frame.headers["content-security-policy"]
    assert "sandbox" in frame.headers["content-security-policy"] and frame.headers["x-frame-options"] == "SAMEORIGIN"
    priya = TestClient(app)
    sign_in(priya, "priya@example.com")
    assert "Reset your Meetings password" not in priya.get("/mailbox").text
    assert priya.get(f"/mailbox/{row.id}").status_code == 404
    leo = TestClient(app)
    sign_in(leo, "leo@example.com")
    assert leo.get(f"/mailbox/{row.id}").status_code == 200


def test_the_same_idempotency_key_is_queued_once(db, demo):
    from meetings.domain.outbox import queue_email

    composer = JinjaEmailComposer("http://meet.example.com", EMAIL_SECRET)
    context = {"name": "Leo", "link": "http://x", "expires_minutes": 60}
    with db.session() as session:
        first = queue_email(session, composer, key="k1", kind="password_reset", recipient="leo@example.com",
                            user_id=None, template="password_reset", context=context, now=FIXED_NOW)
        again = queue_email(session, composer, key="k1", kind="password_reset", recipient="leo@example.com",
                            user_id=None, template="password_reset", context=context, now=FIXED_NOW)
    assert first is not None and again is None
    assert len(_rows(db)) == 1


def test_names_cannot_inject_headers(maya, db, smtp, demo):
    with db.session() as session:
        team = session.scalars(select(Team).where(Team.name == "Platform")).one()
        team.name = "Platform\r\nBcc: attacker@example.com"
        team_id = team.id
    from meetings.models import User

    with db.session() as session:
        session.scalars(select(User).where(User.email == "maya@example.com")).one().name = "Maya\nBcc: evil@x.com"
    assert post_form(maya, f"/teams/{team_id}/invitations", {"email": "new@example.com"},
                     token_from="/").status_code == 303
    [row] = [r for r in _rows(db) if r.kind == "invitation"]
    assert "\n" not in row.subject and "\r" not in row.subject
    with db.session() as session:  # it went to the mailbox (no SMTP in this app); send it for real
        session.get(OutboxMessage, row.id).status = OutboxStatus.PENDING
    deliver_pending(db, SmtpTransport(smtp.url, timeout=5), MAIL_FROM, FIXED_NOW + timedelta(days=1))
    [message] = smtp.handler.messages
    assert message["Bcc"] is None
    assert list(message.keys()).count("To") == 1


def test_a_line_break_in_a_stored_header_is_a_permanent_failure(db, demo, smtp):
    _queue_reset(db)
    with db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        row.subject = "Hi\r\nBcc: attacker@example.com"
        payload = json.loads(row.payload)
    report = deliver_pending(db, SmtpTransport(smtp.url, timeout=5), MAIL_FROM, FIXED_NOW)
    assert report.failed == 1 and smtp.handler.messages == []
    assert "line break" in _rows(db)[0].last_error
    assert payload["text"]


def test_admins_see_failed_emails_and_send_them_again(maya, db, app):
    from meetings.models import OutboxMessage, OutboxStatus

    post_form(maya, "/password/forgot", {"email": "leo@example.com"})
    with db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        row.status, row.last_error = OutboxStatus.FAILED, "550 5.1.1 No such user"
        row_id = row.id
    page = maya.get("/admin/outbox?status=failed")
    assert "550 5.1.1 No such user" in page.text
    assert post_form(maya, f"/admin/outbox/{row_id}/retry", {}, token_from="/").status_code == 303
    with db.session() as session:
        assert session.get(OutboxMessage, row_id).status in {OutboxStatus.PENDING, OutboxStatus.KEPT}
    leo = TestClient(app)
    sign_in(leo, "leo@example.com")
    assert leo.get("/admin/outbox").status_code == 403
