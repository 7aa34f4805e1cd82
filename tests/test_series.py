"""Meetings and series from templates: variables, occurrences ahead, DST, carry-over, changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meetings.domain.access import actor_for
from meetings.domain.agenda_templates import builtin_templates
from meetings.domain.errors import ForbiddenError, ValidationError
from meetings.domain.recurrence import RecurrenceChoice
from meetings.domain.scheduling import (
    MeetingRequest,
    cancel_occurrence,
    create_meeting,
    end_meeting,
    ensure_next_occurrence,
    reschedule_occurrence,
)
from meetings.domain.series_changes import change_series_from
from meetings.models import (
    AgendaItem,
    AgendaItemState,
    AgendaSection,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Team,
    User,
)

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # a Friday, before Europe's change to summer time
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def people(db, demo):
    with db.session() as session:
        users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
        teams = {t.name: t.id for t in session.scalars(select(Team))}
    return users, teams


def _create(session, users, teams, who="maya", now=NOW, **kwargs):
    organizer = session.get(User, users[who])
    defaults = dict(team_id=teams["Platform"], date="2026-03-24", time="10:00", time_zone="Europe/Berlin",
                    attendee_ids=[users["priya"]], visibility="team",
                    duration_minutes="" if "template" in kwargs else "30")
    request = MeetingRequest(**{**defaults, **kwargs})
    return create_meeting(session, actor_for(session, organizer), organizer, request, now)


def _items(session, meeting_id):
    return list(session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                                .order_by(AgendaItem.position)))


def test_one_on_one_from_its_template_fills_names_and_owners(db, people):
    users, teams = people
    with db.session() as session:
        # Priya reports to Maya in the demo workspace: Maya is the manager whoever organises.
        meeting = _create(session, users, teams, who="priya", template=builtin_templates()["one-on-one"],
                          attendee_ids=[users["maya"]], visibility="private")
        items = _items(session, meeting.id)
        assert meeting.title == "Maya Chen / Priya Raman 1-on-1"
        assert meeting.duration_minutes == 30  # the template's length
        owners = {i.title: i.owner_id for i in items}
        assert owners["How are you doing?"] == users["priya"]
        assert owners["Updates and context from Maya Chen"] == users["maya"]
        assert meeting.starts_at == datetime(2026, 3, 24, 9, 0, tzinfo=UTC)


def test_sprint_numbers_count_along_the_series(db, people):
    users, teams = people
    with db.session() as session:
        first = _create(session, users, teams, template=builtin_templates()["sprint-planning"], sprint_start="42",
                        recurrence=RecurrenceChoice("weekly", interval=2))
        assert first.title == "Sprint 42 planning"
        section = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == first.id)).first()
        assert section is not None
        second = end_meeting(session, actor_for(session, session.get(User, users["maya"])), first.id, NOW)
        assert second.title == "Sprint 43 planning"
        local = [m.starts_at.astimezone(BERLIN) for m in (first, second)]
        assert local[1].date() - local[0].date() == timedelta(days=14) and local[1].hour == local[0].hour == 10


def test_previous_meeting_date_variable(db, people):
    users, teams = people
    with db.session() as session:
        first = _create(session, users, teams, template=builtin_templates()["weekly-team-meeting"],
                        recurrence=RecurrenceChoice("weekly"))
        second = end_meeting(session, actor_for(session, session.get(User, users["maya"])), first.id, NOW)
        first_prompt = session.scalars(select(AgendaSection.prompt).where(AgendaSection.meeting_id == first.id)
                                       .order_by(AgendaSection.position)).first()
        second_prompt = session.scalars(select(AgendaSection.prompt).where(AgendaSection.meeting_id == second.id)
                                        .order_by(AgendaSection.position)).first()
        assert first_prompt == "Celebrate what shipped or what went right since no previous meeting."
        assert second_prompt == "Celebrate what shipped or what went right since Tue 24 Mar 2026."
        assert second.title == "Platform weekly"


def test_only_the_next_occurrence_is_created_ahead(db, people):
    users, teams = people
    with db.session() as session:
        first = _create(session, users, teams, recurrence=RecurrenceChoice("daily"), title="Stand-up")
        series = session.get(MeetingSeries, first.series_id)
        assert ensure_next_occurrence(session, series, NOW) is None  # the next one exists already
        # A month later, one call creates only the next one, not thirty.
        created = ensure_next_occurrence(session, series, NOW + timedelta(days=30))
        assert created is not None
        assert session.scalar(select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id)) == 2
        assert created.occurrence_number == 28  # 20 April: its place along the series counts every day


def test_series_keeps_local_time_across_dst_in_berlin_and_new_york(db, people):
    users, teams = people
    with db.session() as session:
        berlin = _create(session, users, teams, title="Berlin", recurrence=RecurrenceChoice("weekly"))
        next_berlin = end_meeting(session, actor_for(session, session.get(User, users["maya"])), berlin.id, NOW)
        new_york = _create(session, users, teams, title="NY", date="2026-03-06", time="09:00",
                           time_zone="America/New_York", recurrence=RecurrenceChoice("weekly"),
                           now=datetime(2026, 3, 1, tzinfo=UTC))
        next_ny = end_meeting(session, actor_for(session, session.get(User, users["maya"])), new_york.id,
                              datetime(2026, 3, 6, 15, tzinfo=UTC))
    assert [m.starts_at.astimezone(BERLIN).hour for m in (berlin, next_berlin)] == [10, 10]
    assert next_berlin.starts_at - berlin.starts_at == timedelta(days=7, hours=-1)
    ny = ZoneInfo("America/New_York")
    assert [m.starts_at.astimezone(ny).hour for m in (new_york, next_ny)] == [9, 9]
    assert next_ny.starts_at - new_york.starts_at == timedelta(days=7, hours=-1)


def test_undiscussed_items_carry_over_once_with_their_origin(db, people):
    users, teams = people
    with db.session() as session:
        maya = session.get(User, users["maya"])
        first = _create(session, users, teams, title="Sync", recurrence=RecurrenceChoice("weekly"))
        session.add_all([
            AgendaItem(meeting_id=first.id, position=0, title="Budget", state=AgendaItemState.DISCUSSED),
            AgendaItem(meeting_id=first.id, position=1, title="Hiring plan"),
            AgendaItem(meeting_id=first.id, position=2, title="Offsite", state=AgendaItemState.DEFERRED),
        ])
        session.flush()
        second = end_meeting(session, actor_for(session, maya), first.id, NOW)
        again = end_meeting(session, actor_for(session, maya), first.id, NOW)  # a second click changes nothing
        carried = _items(session, second.id)
        origin = {i.title: i.id for i in _items(session, first.id)}
        assert again.id == second.id
        assert [(i.title, i.carried_over_from_id) for i in carried] == [
            ("Hiring plan", origin["Hiring plan"]), ("Offsite", origin["Offsite"])]
        assert {i.title: i.state for i in _items(session, first.id)}["Hiring plan"] is AgendaItemState.DEFERRED


def test_carry_over_can_be_turned_off(db, people):
    users, teams = people
    with db.session() as session:
        first = _create(session, users, teams, title="Sync", recurrence=RecurrenceChoice("weekly"), carry_over=False)
        session.add(AgendaItem(meeting_id=first.id, position=0, title="Hiring plan"))
        session.flush()
        second = end_meeting(session, actor_for(session, session.get(User, users["maya"])), first.id, NOW)
        assert _items(session, second.id) == []


def test_template_items_are_not_doubled_by_carry_over(db, people):
    users, teams = people
    with db.session() as session:
        first = _create(session, users, teams, template=builtin_templates()["daily-standup"],
                        recurrence=RecurrenceChoice("weekdays"))
        second = end_meeting(session, actor_for(session, session.get(User, users["maya"])), first.id, NOW)
        titles = [i.title for i in _items(session, second.id)]
        assert len(titles) == len(set(titles)) == 3


def test_cancel_one_occurrence_and_move_another(db, people):
    users, teams = people
    with db.session() as session:
        actor = actor_for(session, session.get(User, users["maya"]))
        first = _create(session, users, teams, title="Sync", recurrence=RecurrenceChoice("weekly"))
        cancel_occurrence(session, actor, first.id, NOW)
        assert first.status is MeetingStatus.CANCELLED
        second = session.scalars(select(Meeting).where(Meeting.series_id == first.series_id,
                                                       Meeting.id != first.id)).one()
        assert second.starts_at.astimezone(BERLIN) == datetime(2026, 3, 31, 10, 0, tzinfo=BERLIN)
        moved = reschedule_occurrence(session, actor, second.id, date_text="2026-04-01", time_text="15:30",
                                      duration_text="45", now=NOW)
        assert moved.starts_at == datetime(2026, 4, 1, 13, 30, tzinfo=UTC)
        assert moved.recurrence_start == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # still that occurrence
        assert moved.sequence == 1
        with pytest.raises(ValidationError) as info:
            reschedule_occurrence(session, actor, second.id, date_text="1 April", time_text="25:00",
                                  duration_text="0", now=NOW)
        assert set(info.value.errors) == {"date", "time", "duration_minutes"}


def test_change_the_series_from_a_date_on(db, people):
    users, teams = people
    with db.session() as session:
        actor = actor_for(session, session.get(User, users["maya"]))
        first = _create(session, users, teams, title="Sync", recurrence=RecurrenceChoice("weekly"), sprint_start="7")
        second = end_meeting(session, actor, first.id, NOW)
        continuing = change_series_from(
            session, actor, first.series_id, from_date="2026-03-31", time_text="14:00", duration_text="60",
            recurrence=RecurrenceChoice("weekly", weekdays=("TH",)), now=NOW)
        old = session.get(MeetingSeries, first.series_id)
        assert continuing.id != old.id
        assert old.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260330T215959Z"
        assert continuing.rrule == "FREQ=WEEKLY;BYDAY=TH" and continuing.sprint_start == 8
        assert first.series_id == old.id  # the past stays with the old rule
        assert second.series_id == continuing.id  # the one already created follows the new one
        assert second.starts_at == datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
        assert second.duration_minutes == 60


def test_end_the_series_from_a_date(db, people):
    users, teams = people
    with db.session() as session:
        actor = actor_for(session, session.get(User, users["maya"]))
        first = _create(session, users, teams, title="Sync", recurrence=RecurrenceChoice("weekly"))
        second = end_meeting(session, actor, first.id, NOW)
        assert change_series_from(session, actor, first.series_id, from_date="2026-03-31", time_text="10:00",
                                  duration_text="30", recurrence=RecurrenceChoice("none"), now=NOW) is None
        assert second.status is MeetingStatus.CANCELLED
        assert ensure_next_occurrence(session, session.get(MeetingSeries, first.series_id),
                                      NOW + timedelta(days=30)) is None


def test_only_organiser_and_attendees_change_a_meeting(db, people):
    users, teams = people
    with db.session() as session:
        meeting = _create(session, users, teams, title="Team sync")
        leo = actor_for(session, session.get(User, users["leo"]))  # in the team, not invited
        with pytest.raises(ForbiddenError):
            cancel_occurrence(session, leo, meeting.id, NOW)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"date": "31/03/2026", "time": "9am"}, {"date", "time"}),
        ({"time_zone": "Europe/Atlantis"}, {"time_zone"}),
        ({"duration_minutes": "1000"}, {"duration_minutes"}),
        ({"title": "x" * 201}, {"title"}),
        ({"title": "Sprint {{ sprint }}"}, {"title"}),
        ({"attendee_ids": [10**6]}, {"attendee_ids"}),
        ({"visibility": "private", "attendee_ids": []}, {"visibility"}),
        ({"team_id": None, "visibility": "team"}, {"visibility"}),
        ({"recurrence": RecurrenceChoice("weekly", ends="on", until=date(2026, 1, 1))}, {"until"}),
    ],
)
def test_bad_requests_are_refused_field_by_field(db, people, changes, fields):
    users, teams = people
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Meeting))
        with pytest.raises(ValidationError) as info:
            _create(session, users, teams, **{"title": "Sync", **changes})
        assert set(info.value.errors) == fields
        assert session.scalar(select(func.count()).select_from(Meeting)) == before


def test_attendees_must_belong_to_the_team(db, people):
    users, teams = people
    with db.session() as session:
        with pytest.raises(ValidationError, match="Not in Platform: Sam Okafor"):
            _create(session, users, teams, title="Sync", attendee_ids=[users["sam"]])
