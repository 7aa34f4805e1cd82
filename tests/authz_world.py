"""A small workspace for the authorization matrix: five people, two teams, three kinds of meeting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from meetings.db import Database
from meetings.domain.agenda_templates import BUILTIN_DIR
from meetings.domain.api_tokens import create_api_token
from meetings.domain.sessions import start_session
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaSection,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    Note,
    NoteVisibility,
    OutboxMessage,
    OutboxStatus,
    SeriesAttendee,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Visibility,
    Webhook,
)
from meetings.models import AgendaTemplate as CustomTemplate

ACTORS = ["anonymous", "outsider", "member", "attendee", "organiser", "admin"]
MEETING_KINDS = ["private", "attendees", "team"]


@dataclass
class World:
    users: dict[str, int] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    meetings: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    series_id: int = 0
    template_key: str = ""
    team_a: int = 0
    team_b: int = 0
    message_for_attendee: int = 0
    webhook_a: int = 0


def build_world(database: Database, now: datetime) -> World:
    world = World()
    with database.session() as session:
        team_a, team_b = Team(name="Alpha"), Team(name="Beta")
        session.add_all([team_a, team_b])
        people = {
            "admin": User(email="admin@w.test", name="Admin", is_admin=True),
            "organiser": User(email="organiser@w.test", name="Organiser"),
            "attendee": User(email="attendee@w.test", name="Attendee"),
            "member": User(email="member@w.test", name="Member"),
            "outsider": User(email="outsider@w.test", name="Outsider"),
        }
        session.add_all(people.values())
        session.flush()
        session.add_all([
            TeamMembership(team_id=team_a.id, user_id=people["organiser"].id, role=TeamRole.MANAGER),
            TeamMembership(team_id=team_a.id, user_id=people["attendee"].id, role=TeamRole.MEMBER),
            TeamMembership(team_id=team_a.id, user_id=people["member"].id, role=TeamRole.MEMBER),
            TeamMembership(team_id=team_b.id, user_id=people["outsider"].id, role=TeamRole.MANAGER),
        ])
        series = MeetingSeries(uid="series@w.test", team_id=team_a.id, organizer_id=people["organiser"].id,
                               title="team meeting", rrule="FREQ=WEEKLY", first_start_local="2026-03-31T09:00:00",
                               time_zone="UTC", duration_minutes=30, visibility=Visibility.TEAM,
                               attendees=[SeriesAttendee(user_id=people["organiser"].id),
                                          SeriesAttendee(user_id=people["attendee"].id)])
        session.add(series)
        session.flush()
        world.series_id = series.id
        template = CustomTemplate(team_id=team_a.id, key="alpha-sync", name="Alpha sync",
                                  source=(BUILTIN_DIR / "weekly-team-meeting.toml").read_text().replace(
                                      'name = "Weekly team meeting"', 'name = "Alpha sync"'),
                                  created_by_id=people["organiser"].id)
        session.add(template)
        session.flush()
        world.template_key = f"custom-{template.id}"
        for n, kind in enumerate(MEETING_KINDS):
            meeting = Meeting(
                uid=f"{kind}@w.test", team_id=team_a.id, organizer_id=people["organiser"].id,
                title=f"{kind} meeting", starts_at=now + timedelta(days=1 + n), duration_minutes=30,
                series_id=series.id if kind == "team" else None,
                recurrence_start=now + timedelta(days=1 + n) if kind == "team" else None, occurrence_number=1,
                time_zone="UTC", visibility=Visibility(kind if kind != "private" else "private"),
                attendees=[MeetingAttendee(user_id=people["organiser"].id),
                           MeetingAttendee(user_id=people["attendee"].id)],
            )
            session.add(meeting)
            session.flush()
            section = AgendaSection(meeting_id=meeting.id, position=0, title=f"{kind} section")
            session.add(section)
            session.flush()
            item = AgendaItem(meeting_id=meeting.id, section_id=section.id, position=0, title=f"{kind} topic")
            action = ActionItem(title=f"{kind} action", assignee_id=people["attendee"].id, meeting_id=meeting.id)
            decision = Decision(meeting_id=meeting.id, text=f"{kind} decision")
            session.add_all([item, action, decision])
            session.flush()
            world.items[kind], world.sections[kind] = item.id, section.id
            world.actions[kind], world.decisions[kind] = action.id, decision.id
            session.add_all([
                Note(meeting_id=meeting.id, scope="shared", body=f"{kind} shared notes"),
                Note(meeting_id=meeting.id, scope=f"private:{people['attendee'].id}", author_id=people["attendee"].id,
                     visibility=NoteVisibility.PRIVATE, body=f"{kind} attendee's private thoughts"),
            ])
            world.meetings[kind] = meeting.id
        message = OutboxMessage(idempotency_key="w-1", kind="password_reset", user_id=people["attendee"].id,
                                recipient="attendee@w.test", subject="For the attendee", message_id="<1@w.test>",
                                payload='{"text": "hello", "html": "<p>hello</p>", '
                                '"calendar": {"method": "REQUEST", "ics": "BEGIN:VCALENDAR\\r\\nEND:VCALENDAR\\r\\n"}}',
                                status=OutboxStatus.KEPT,
                                created_at=now, next_attempt_at=now)
        session.add(message)
        session.flush()
        world.message_for_attendee = message.id
        webhook = Webhook(team_id=team_a.id, name="Alpha chat", url="http://127.0.0.1:9/hook", secret="whsec_w",
                          payload_format="json", events="meeting.created", created_at=now)
        session.add(webhook)
        session.flush()
        world.webhook_a = webhook.id
        for key, user in people.items():
            world.users[key] = user.id
            world.cookies[key] = start_session(session, user, now, timedelta(days=30))
            token, raw = create_api_token(session, user, "matrix", now)
            world.tokens[key], world.token_ids[key] = raw, token.id
        world.team_a, world.team_b = team_a.id, team_b.id
    return world
