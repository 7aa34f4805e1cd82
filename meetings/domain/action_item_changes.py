"""Creating and changing action items: who does what by when, from which topic."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, can_see_meeting, require_meeting
from meetings.domain.agenda import eligible_people
from meetings.domain.errors import ConflictError, NotFoundError, ValidationError
from meetings.domain.webhook_events import action_item_event
from meetings.models import ActionItem, ActionItemStatus, AgendaItem, Decision

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000


def _fields(session: Session, meeting_id: int, title: str, description: str, assignee: str, due: str,
            agenda_item: str) -> tuple[str, str, int | None, date | None, int | None]:
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Say what needs doing."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Use at most {MAX_TITLE} characters."
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Use at most {MAX_DESCRIPTION:,} characters."
    assignee_id = None
    if assignee.strip():
        if not assignee.strip().isdigit() or int(assignee) not in eligible_people(session, meeting_id):
            errors["assignee_id"] = "Choose an attendee or a member of the meeting's team."
        else:
            assignee_id = int(assignee)
    due_date = None
    if due.strip():
        try:
            due_date = date.fromisoformat(due.strip())
        except ValueError:
            errors["due_date"] = "Enter a date like 2026-04-15."
    item_id = None
    if agenda_item.strip():
        item = session.get(AgendaItem, int(agenda_item)) if agenda_item.strip().isdigit() else None
        if item is None or item.meeting_id != meeting_id:
            errors["agenda_item_id"] = "Choose a topic of this meeting."
        else:
            item_id = item.id
    if errors:
        raise ValidationError(errors)
    return title, description.strip(), assignee_id, due_date, item_id


def create_action_item(session: Session, actor: Actor, meeting_id: int, *, title: str, description: str = "",
                       assignee_id: str = "", due_date: str = "", agenda_item_id: str = "",
                       now: datetime) -> ActionItem:
    """A new action item of the meeting (optionally from one of its topics)."""
    require_meeting(session, actor, meeting_id)
    clean, text, assignee, due, item_id = _fields(session, meeting_id, title, description, assignee_id, due_date,
                                                  agenda_item_id)
    action = ActionItem(title=clean, description=text, assignee_id=assignee, due_date=due, meeting_id=meeting_id,
                        agenda_item_id=item_id, created_by_id=actor.user_id)
    session.add(action)
    session.flush()
    action_item_event(session, action, "action_item.created", now)
    return action


def _visible_action(session: Session, actor: Actor, action_id: int) -> ActionItem:
    action = session.get(ActionItem, action_id)
    if action is None or not can_see_meeting(session, actor, action.meeting_id):
        raise NotFoundError(f"action item {action_id}")
    return action


def _check_version(action: ActionItem, version: int | None) -> None:
    if version is not None and action.version != version:
        raise ConflictError("Someone changed this action item meanwhile; here is its current state.",
                            current=f"{action.title} ({action.status.value})")


def update_action_item(session: Session, actor: Actor, action_id: int, *, version: int | None, title: str,
                       description: str, assignee_id: str, due_date: str, now: datetime) -> ActionItem:
    """Change an action item's text, assignee or due date."""
    action = _visible_action(session, actor, action_id)
    _check_version(action, version)
    clean, text, assignee, due, _ = _fields(session, action.meeting_id, title, description, assignee_id, due_date, "")
    reassigned = assignee is not None and assignee != action.assignee_id
    action.title, action.description, action.assignee_id, action.due_date = clean, text, assignee, due
    action.version += 1
    if reassigned:
        action_item_event(session, action, "action_item.assigned", now)
    return action


def set_action_status(session: Session, actor: Actor, action_id: int, status: str, now: datetime,
                      version: int | None = None) -> ActionItem:
    """Complete, cancel or reopen an action item (completion time in UTC)."""
    action = _visible_action(session, actor, action_id)
    _check_version(action, version)
    try:
        new = ActionItemStatus(status)
    except ValueError:
        raise ValidationError({"status": "Choose open, done or cancelled."}) from None
    completing = new is ActionItemStatus.DONE and action.status is not ActionItemStatus.DONE
    action.status = new
    action.completed_at = now if new is ActionItemStatus.DONE else None
    action.version += 1
    if completing:
        action_item_event(session, action, "action_item.completed", now)
    return action


def reassign_action_item(session: Session, actor: Actor, action_id: int, assignee_id: str,
                         now: datetime) -> ActionItem:
    """Give an action item to someone else from the meeting or its team."""
    action = _visible_action(session, actor, action_id)
    if not assignee_id.strip().isdigit() or int(assignee_id) not in eligible_people(session, action.meeting_id):
        raise ValidationError({"assignee_id": "Choose an attendee or a member of the meeting's team."})
    reassigned = int(assignee_id) != action.assignee_id
    action.assignee_id = int(assignee_id)
    action.version += 1
    if reassigned:
        action_item_event(session, action, "action_item.assigned", now)
    return action


def add_decision(session: Session, actor: Actor, meeting_id: int, text: str, agenda_item_id: str = "") -> Decision:
    """Record an outcome of the meeting or of one topic."""
    require_meeting(session, actor, meeting_id)
    text = text.strip()
    if not text:
        raise ValidationError({"decision": "Write down what was decided."})
    if len(text) > 5000:
        raise ValidationError({"decision": "Use at most 5,000 characters."})
    item_id = int(agenda_item_id) if agenda_item_id.strip().isdigit() else None
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting_id:
            raise ValidationError({"agenda_item_id": "Choose a topic of this meeting."})
    decision = Decision(meeting_id=meeting_id, agenda_item_id=item_id, text=text, created_by_id=actor.user_id)
    session.add(decision)
    session.flush()
    return decision


def delete_decision(session: Session, actor: Actor, meeting_id: int, decision_id: int) -> None:
    """Remove a decision recorded by mistake."""
    require_meeting(session, actor, meeting_id)
    decision = session.scalar(select(Decision).where(Decision.id == decision_id, Decision.meeting_id == meeting_id))
    if decision is None:
        raise NotFoundError(f"decision {decision_id}")
    session.delete(decision)
