"""The `meetings` command, run as a user would (through click's runner, against a real database)."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from meetings.cli import main
from meetings.models import Meeting, User


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env from the repository

    def invoke(database_url, *args):
        return CliRunner().invoke(main, list(args), env={"MEETINGS_DATABASE_URL": database_url})

    return invoke


def test_help_lists_every_command(run):
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "demo", "create-user"):
        assert command in result.output


def test_db_upgrade_on_an_empty_database_then_again(run, empty_database_url):
    first = run(empty_database_url, "db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "migrated from empty to" in first.output
    second = run(empty_database_url, "db", "upgrade")
    assert "already at revision" in second.output
    current = run(empty_database_url, "db", "current")
    assert current.output.splitlines()[0].split()[-1] == current.output.splitlines()[1].split()[-1]


def test_demo_is_idempotent(run, database_url, db):
    first = run(database_url, "demo", "--now", "2026-03-28T11:00:00Z")
    assert first.exit_code == 0, first.output
    assert "Demo workspace created" in first.output and "maya@example.com" in first.output
    second = run(database_url, "demo", "--now", "2026-03-28T11:00:00Z")
    assert "already exists" in second.output
    third = run(database_url, "demo", "--if-empty")
    assert "already has users" in third.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 4


@pytest.mark.parametrize("now", ["yesterday", "2026-03-28T11:00:00"])
def test_demo_rejects_a_bad_time(run, database_url, now):
    result = run(database_url, "demo", "--now", now)
    assert result.exit_code == 2
    assert "--now" in result.output


def test_create_user(run, database_url, db):
    result = run(database_url, "create-user", "--email", " Ada@Example.com ", "--name", "Ada", "--time-zone",
                 "Europe/London", "--admin")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        user = session.scalars(select(User)).one()
    assert (user.email, user.time_zone, user.is_admin) == ("ada@example.com", "Europe/London", True)


def test_create_user_explains_every_bad_field_and_writes_nothing(run, database_url, db):
    run(database_url, "create-user", "--email", "ada@example.com", "--name", "Ada")
    result = run(database_url, "create-user", "--email", "ADA@example.com", "--name", " ", "--time-zone", "Mars/Base")
    assert result.exit_code == 1
    assert "--email: A user with this email address already exists." in result.output
    assert "--name: Enter a name." in result.output
    assert "--time-zone: Choose a time zone" in result.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_a_bad_setting_is_reported_not_a_traceback(run):
    result = run("mysql://root@localhost/x", "db", "upgrade")
    assert result.exit_code == 1
    assert "MEETINGS_DATABASE_URL must be a sqlite:/// or postgresql:// URL" in result.output
