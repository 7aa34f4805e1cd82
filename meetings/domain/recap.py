"""What a recap email says about a meeting: covered topics, notes, decisions and action items."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetings.models import ActionItem, AgendaItem, AgendaItemState, Decision, Meeting, Note, NoteVisibility


def recap_context(session: Session, meeting: Meeting, base_url: str) -> dict[str, Any]:
    """Plain values for the recap templates (shared notes only: private notes never leave their page)."""
    items = list(session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                 .order_by(AgendaItem.position)))
    notes = list(session.scalars(select(Note.body).where(
        Note.meeting_id == meeting.id, Note.visibility == NoteVisibility.SHARED, Note.agenda_item_id.is_(None))))
    decisions = list(session.scalars(select(Decision.text).where(Decision.meeting_id == meeting.id)
                                     .order_by(Decision.id)))
    actions = list(session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)
                                   .order_by(ActionItem.id).options(selectinload(ActionItem.assignee),
                                                                    selectinload(ActionItem.agenda_item))))
    start = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    return {
        "meeting": meeting.title,
        "when": f"{start:%a} {start.day} {start:%b %Y}",
        "covered": [i.title for i in items if i.state is AgendaItemState.DISCUSSED],
        "not_covered": [i.title for i in items if i.state is not AgendaItemState.DISCUSSED],
        "notes": "\n\n".join(n for n in notes if n.strip()),
        "decisions": decisions,
        "actions": [{"title": a.title, "who": a.assignee.name if a.assignee else "Unassigned",
                     "due": a.due_date.isoformat() if a.due_date else "", "topic": a.agenda_item.title
                     if a.agenda_item else "", "link": f"{base_url}/meetings/{meeting.id}#action-{a.id}"}
                    for a in actions],
        "link": f"{base_url}/meetings/{meeting.id}",
    }
