"""The demo workspace: realistic people, teams, meetings and action items from demo/workspace.toml."""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetings.domain.passwords import hash_password
from meetings.domain.users import create_user
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaItemState,
    AgendaSection,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    Note,
    ReportingLine,
    SeriesAttendee,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Visibility,
    Workspace,
)

DEMO_FILE = Path(__file__).parent.parent / "demo" / "workspace.toml"


@dataclass
class DemoResult:
    """What ``seed_demo`` did."""

    created: bool
    password: str = ""
    users: list[User] = field(default_factory=list)
    meetings: int = 0
    action_items: int = 0


def database_is_empty(session: Session) -> bool:
    """True when no user exists yet (a fresh installation)."""
    return not session.scalar(select(func.count()).select_from(User))


def demo_sign_in(session: Session, source: Path = DEMO_FILE) -> DemoResult | None:
    """The demo users and their password, when the demo workspace exists."""
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    emails = [u["email"] for u in data["users"]]
    users = list(session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id)))
    return DemoResult(created=False, password=data["password"], users=users) if users else None


def seed_demo(session: Session, now: datetime, source: Path = DEMO_FILE) -> DemoResult:
    """Create the demo workspace relative to ``now`` (aware). Does nothing if it already exists."""
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    emails = [u["email"] for u in data["users"]]
    if session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails))):
        existing = list(session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id)))
        return DemoResult(created=False, password=data["password"], users=existing)
    return _Seeder(session, now, data).run()


class _Seeder:
    def __init__(self, session: Session, now: datetime, data: dict[str, Any]) -> None:
        self.session, self.now, self.data = session, now, data
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.result = DemoResult(created=True, password=data["password"])

    def run(self) -> DemoResult:
        if self.session.scalar(select(func.count()).select_from(Workspace)) == 0:
            self.session.add(Workspace(name=self.data["workspace"]))
        password_hash = hash_password(self.data["password"])  # one slow hash for all demo users
        for spec in self.data["users"]:
            user = create_user(
                self.session,
                email=spec["email"],
                name=spec["name"],
                time_zone=spec["time_zone"],
                is_admin=spec.get("admin", False),
            )
            user.password_hash = password_hash
            self.users[spec["key"]] = user
        self.result.users = list(self.users.values())
        for spec in self.data["teams"]:
            self._team(spec)
        for spec in self.data["reporting"]:
            for report in spec["reports"]:
                self.session.add(ReportingLine(manager=self.users[spec["manager"]], report=self.users[report]))
        for spec in self.data["series"]:
            self._series(spec)
        for spec in self.data["meetings"]:
            self._meeting(spec, series=None, number=None)
        self.session.flush()
        return self.result

    def _team(self, spec: dict[str, Any]) -> None:
        team = Team(name=spec["name"])
        for key in spec["managers"]:
            team.memberships.append(TeamMembership(user=self.users[key], role=TeamRole.MANAGER))
        for key in spec["members"]:
            team.memberships.append(TeamMembership(user=self.users[key], role=TeamRole.MEMBER))
        self.session.add(team)
        self.teams[spec["name"]] = team

    def _local_start(self, spec: dict[str, Any], day: int) -> datetime:
        zone = ZoneInfo(spec["time_zone"])
        today = self.now.astimezone(zone).date()
        return datetime.combine(today + timedelta(days=day), time.fromisoformat(spec["time"]), tzinfo=zone)

    def _series(self, spec: dict[str, Any]) -> None:
        first_day = min(o["day"] for o in spec["occurrences"])
        first_start = self._local_start(spec, first_day)
        series = MeetingSeries(
            uid=str(uuid.uuid4()),
            team=self.teams[spec["team"]],
            organizer=self.users[spec["organizer"]],
            title=spec["title"],
            template_key=spec.get("template"),
            rrule=spec["rrule"],
            first_start_local=first_start.replace(tzinfo=None).isoformat(timespec="seconds"),
            time_zone=spec["time_zone"],
            duration_minutes=spec["duration_minutes"],
            visibility=Visibility(spec["visibility"]),
            attendees=[SeriesAttendee(user=self.users[k]) for k in spec["attendees"]],
        )
        self.session.add(series)
        for number, occurrence in enumerate(spec["occurrences"], start=1):
            self._meeting({**spec, **occurrence}, series=series, number=number)

    def _meeting(self, spec: dict[str, Any], series: MeetingSeries | None, number: int | None) -> None:
        starts_at = self._local_start(spec, spec["day"])
        status = MeetingStatus(spec.get("status", "scheduled"))
        meeting = Meeting(
            uid=str(uuid.uuid4()),
            series=series,
            recurrence_start=starts_at if series else None,
            occurrence_number=number,
            team=self.teams[spec["team"]],
            organizer=self.users[spec["organizer"]],
            title=spec["title"],
            template_key=spec.get("template"),
            starts_at=starts_at,
            duration_minutes=spec["duration_minutes"],
            time_zone=spec["time_zone"],
            visibility=Visibility(spec["visibility"]),
            status=status,
            ended_at=starts_at + timedelta(minutes=spec["duration_minutes"]) if status is MeetingStatus.ENDED else None,
            attendees=[MeetingAttendee(user=self.users[k]) for k in spec["attendees"]],
        )
        self.session.add(meeting)
        self.session.flush()
        items = self._agenda(meeting, spec.get("sections", []))
        if spec.get("notes"):
            self.session.add(Note(meeting_id=meeting.id, scope="shared", body=spec["notes"].strip()))
        for text in spec.get("decisions", []):
            self.session.add(Decision(meeting_id=meeting.id, text=text, created_by_id=meeting.organizer_id))
        for action in spec.get("action_items", []):
            self._action_item(meeting, action, items)
        self.result.meetings += 1

    def _agenda(self, meeting: Meeting, sections: list[dict[str, Any]]) -> dict[str, AgendaItem]:
        items: dict[str, AgendaItem] = {}
        position = 0
        for section_position, spec in enumerate(sections):
            section = AgendaSection(
                meeting_id=meeting.id, position=section_position, title=spec["title"], prompt=spec.get("prompt", "")
            )
            self.session.add(section)
            self.session.flush()
            for item_spec in spec["items"]:
                item = AgendaItem(
                    meeting_id=meeting.id,
                    section_id=section.id,
                    position=position,
                    title=item_spec["title"],
                    talking_points=item_spec.get("points", ""),
                    owner_id=self.users[item_spec["owner"]].id if "owner" in item_spec else None,
                    time_box_minutes=item_spec.get("minutes"),
                    state=AgendaItemState(item_spec.get("state", "open")),
                    carried_over_from_id=self._carried_from(meeting, item_spec.get("carried_over")),
                )
                position += 1
                self.session.add(item)
                items[item.title] = item
        self.session.flush()
        return items

    def _carried_from(self, meeting: Meeting, title: str | None) -> int | None:
        if title is None or meeting.series_id is None:
            return None
        return self.session.scalar(
            select(AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.series_id == meeting.series_id, Meeting.id != meeting.id, AgendaItem.title == title)
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )

    def _action_item(self, meeting: Meeting, spec: dict[str, Any], items: dict[str, AgendaItem]) -> None:
        assignee = self.users[spec["assignee"]]
        today = self.now.astimezone(ZoneInfo(assignee.time_zone)).date()
        item = items.get(spec["item"]) if "item" in spec else None
        self.session.add(
            ActionItem(
                title=spec["title"],
                assignee_id=assignee.id,
                created_by_id=meeting.organizer_id,
                due_date=today + timedelta(days=spec["due_in_days"]),
                meeting_id=meeting.id,
                agenda_item_id=item.id if item else None,
                created_at=self.now,
            )
        )
        self.result.action_items += 1


__all__ = ["DemoResult", "database_is_empty", "seed_demo"]
