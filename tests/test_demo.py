"""The demo workspace is realistic, relative to the time it is seeded, and never duplicated."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from meetings.domain.demo import seed_demo
from meetings.models import ActionItem, Meeting, MeetingSeries, Team, User, Visibility
from tests.conftest import FIXED_NOW


def test_demo_has_people_teams_series_and_meetings(db, demo):
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) >= 5
        assert sorted(session.scalars(select(Team.name))) == ["Platform", "Product"]
        series = session.scalars(select(MeetingSeries)).one()
        assert series.rrule == "FREQ=WEEKLY" and series.visibility is Visibility.PRIVATE
        titles = set(session.scalars(select(Meeting.title)))
        assert {"Maya / Leo 1-on-1", "Sprint 42 planning", "Q3 roadmap review"} <= titles
        assert session.scalar(select(func.count()).select_from(User).where(User.is_admin)) == 1


def test_demo_action_items_are_due_in_the_past_today_and_next_week(db, demo):
    with db.session() as session:
        items = session.execute(select(ActionItem.due_date, User.time_zone).join(User, ActionItem.assignee)).all()
    offsets = {(due - FIXED_NOW.astimezone(ZoneInfo(tz)).date()).days for due, tz in items}
    assert offsets == {-2, 0, 7}


def test_one_on_one_stays_at_ten_local_across_the_dst_change(db):
    # Seeded on Tuesday 31 March 2026: last week's occurrence was in winter time, today's in summer.
    with db.session() as session:
        seed_demo(session, datetime(2026, 3, 31, 6, 0, tzinfo=UTC))
    with db.session() as session:
        starts = sorted(session.scalars(select(Meeting.starts_at).where(Meeting.series_id.is_not(None))))
    local = [s.astimezone(ZoneInfo("Europe/Berlin")) for s in starts]
    assert [(t.hour, t.minute) for t in local] == [(10, 0), (10, 0)]
    assert starts[1] - starts[0] == timedelta(days=7, hours=-1)


def test_seeding_twice_changes_nothing(db, demo):
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Meeting))
        assert seed_demo(session, FIXED_NOW).created is False
        assert session.scalar(select(func.count()).select_from(Meeting)) == before
