"""Action items across meetings: one filter for the page, the exports, the API and the command line.

Exports read plain rows (no ORM objects) in batches from a server-side cursor, so memory stays flat
whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from meetings.domain.access import Actor, visible_meetings
from meetings.domain.errors import ValidationError
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Meeting,
    MeetingSeries,
    ReportingLine,
    Team,
    TeamMembership,
    User,
)

BATCH = 1000
SORTS = {"due": (ActionItem.due_date, ActionItem.id), "created": (ActionItem.created_at, ActionItem.id),
         "title": (ActionItem.title, ActionItem.id)}


@dataclass(frozen=True)
class ActionItemFilter:
    """What the list shows (and the exports contain). Empty values mean "any"."""

    scope: str = "mine"  # mine | team (the teams I manage and my reports) | all (everything I may see)
    assignee: str = ""  # a user id
    team: str = ""
    series: str = ""
    meeting: str = ""
    status: str = "open"  # open | done | cancelled | all
    due_after: str = ""
    due_before: str = ""
    overdue: str = ""  # "on": open and due before today (in the assignee's zone, see below)
    sort: str = "due"

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> ActionItemFilter:
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in values.items() if k in known and v is not None})

    def query_string(self) -> str:
        """The filter as URL parameters (for "export what you see" links)."""
        return urlencode({f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)})


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({name: "Choose from the list."})
    return int(value)


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: "Enter a date like 2026-04-15."}) from None


def filtered(query: Select[Any], flt: ActionItemFilter, actor: Actor | None, today: date) -> Select[Any]:
    """Apply ``flt`` (and the actor's visibility; None = an operator exporting everything)."""
    if actor is not None:
        query = query.where(visible_meetings(actor))
        if flt.scope == "mine":
            query = query.where(ActionItem.assignee_id == actor.user_id)
        elif flt.scope == "team":
            members = select(TeamMembership.user_id).where(TeamMembership.team_id.in_(actor.managed_team_ids))
            reports = select(ReportingLine.report_id).where(ReportingLine.manager_id == actor.user_id)
            query = query.where(or_(ActionItem.assignee_id.in_(members), ActionItem.assignee_id.in_(reports)),
                                ActionItem.assignee_id != actor.user_id)
        elif flt.scope not in {"all", ""}:
            raise ValidationError({"scope": "Choose mine, my team or all."})
    assignee = _int(flt.assignee, "assignee")
    if assignee is not None:
        query = query.where(ActionItem.assignee_id == assignee)
    for value, column, name in ((flt.team, Meeting.team_id, "team"), (flt.series, Meeting.series_id, "series"),
                                (flt.meeting, Meeting.id, "meeting")):
        number = _int(value, name)
        if number is not None:
            query = query.where(column == number)
    if flt.status not in {"open", "done", "cancelled", "all", ""}:
        raise ValidationError({"status": "Choose open, done, cancelled or all."})
    if flt.status and flt.status != "all":
        query = query.where(ActionItem.status == ActionItemStatus(flt.status))
    after, before = _date(flt.due_after, "due_after"), _date(flt.due_before, "due_before")
    if after is not None:
        query = query.where(ActionItem.due_date >= after)
    if before is not None:
        query = query.where(ActionItem.due_date <= before)
    if after and before and after > before:
        raise ValidationError({"due_before": "The end of the range is before its start."})
    if flt.overdue == "on":
        # Due dates are calendar days; "today" is the requester's. A day's difference across zones
        # is accepted here, the reminders use each assignee's own zone.
        query = query.where(ActionItem.status == ActionItemStatus.OPEN, ActionItem.due_date < today)
    order = SORTS.get(flt.sort)
    if order is None:
        raise ValidationError({"sort": "Choose due date, created or title."})
    nulls_last = order[0].is_(None)
    return query.order_by(nulls_last, *order)


def check_filter(flt: ActionItemFilter, actor: Actor | None, today: date) -> None:
    """Raise ValidationError for a bad filter before anything is written out."""
    filtered(select(ActionItem.id).join(Meeting, Meeting.id == ActionItem.meeting_id), flt, actor, today)


def today_for(time_zone: str, now: datetime) -> date:
    """The calendar day it is for someone in ``time_zone``."""
    return now.astimezone(ZoneInfo(time_zone)).date()


PAGE_SIZE = 50


def action_item_page(session: Session, flt: ActionItemFilter, actor: Actor, today: date,
                     page: int) -> tuple[list[ActionItem], bool]:
    """One page of the list (with assignee, meeting and topic loaded), and whether more follow."""
    query = filtered(select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id), flt, actor, today)
    rows = list(session.scalars(query.offset(max(page - 1, 0) * PAGE_SIZE).limit(PAGE_SIZE + 1).options(
        selectinload(ActionItem.assignee), selectinload(ActionItem.meeting), selectinload(ActionItem.agenda_item))))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


EXPORT_COLUMNS = ["Summary", "Name", "Description", "Assignee", "Due Date", "Status", "Meeting", "Meeting Date",
                  "Agenda Item", "Created", "Completed", "URL"]


def export_rows(session: Session, flt: ActionItemFilter, actor: Actor | None, today: date,
                base_url: str) -> Iterator[list[str]]:
    """Every matching action item as a row of EXPORT_COLUMNS, read in batches (no ORM objects)."""
    assignee = aliased(User)
    query = (
        select(ActionItem.id, ActionItem.title, ActionItem.description, assignee.email, ActionItem.due_date,
               ActionItem.status, Meeting.id.label("meeting_id"), Meeting.title.label("meeting_title"),
               Meeting.starts_at, AgendaItem.title.label("item_title"), ActionItem.created_at, ActionItem.completed_at)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(assignee, assignee.id == ActionItem.assignee_id)
        .outerjoin(AgendaItem, and_(AgendaItem.id == ActionItem.agenda_item_id))
    )
    query = filtered(query, flt, actor, today)
    result = session.execute(query.execution_options(stream_results=True, yield_per=BATCH))
    for row in result:
        yield [
            row.title, row.title, row.description or "", row.email or "",
            row.due_date.isoformat() if row.due_date else "", row.status.value, row.meeting_title,
            row.starts_at.isoformat(timespec="minutes"), row.item_title or "",
            row.created_at.isoformat(timespec="seconds"),
            row.completed_at.isoformat(timespec="seconds") if row.completed_at else "",
            f"{base_url}/meetings/{row.meeting_id}#action-{row.id}",
        ]


def filter_choices(session: Session, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """Options for the filter form: people, teams and series the actor can see."""
    teams = [(t.id, t.name) for t in session.scalars(select(Team).where(Team.id.in_(actor.team_ids)).order_by(Team.name))]
    series_ids = select(Meeting.series_id).where(visible_meetings(actor), Meeting.series_id.is_not(None))
    series = [(s.id, s.title) for s in session.scalars(select(MeetingSeries).where(MeetingSeries.id.in_(series_ids)))]
    assignee_ids = select(ActionItem.assignee_id).join(Meeting, Meeting.id == ActionItem.meeting_id).where(
        visible_meetings(actor))
    people = [(u.id, u.name) for u in session.scalars(select(User).where(User.id.in_(assignee_ids)).order_by(User.name))]
    return {"teams": teams, "series": series, "people": people}
