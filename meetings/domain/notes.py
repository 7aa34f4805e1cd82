"""Notes of a meeting and of its topics: shared ones, and private ones only their author sees.

A save names the version it started from; if the note changed meanwhile, the save is refused with
ConflictError carrying the current text, so that nothing anyone wrote is lost. This is the plain-form
fallback of live editing (live_notes.py): a save of a shared note is also applied to its collaborative
document, as the smallest edit, so that the two never disagree.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, require_meeting
from meetings.domain.errors import ConflictError, NotFoundError, ValidationError
from meetings.domain.live_notes import MAX_NOTE, load_doc, replace_text
from meetings.models import AgendaItem, Note, NoteVisibility


def note_scope(actor: Actor, agenda_item_id: int | None, private: bool) -> str:
    """The note's place in its meeting: "shared", "item:7", "private:3" or "private:3:item:7"."""
    base = f"private:{actor.user_id}" if private else "shared"
    if agenda_item_id is None:
        return base
    return f"item:{agenda_item_id}" if not private else f"{base}:item:{agenda_item_id}"


def save_note(session: Session, actor: Actor, meeting_id: int, *, agenda_item_id: int | None, private: bool,
              body: str, base_version: int) -> Note:
    """Write a note; ``base_version`` is the version the writer saw (0 for a note not written yet)."""
    require_meeting(session, actor, meeting_id)
    if agenda_item_id is not None:
        item = session.get(AgendaItem, agenda_item_id)
        if item is None or item.meeting_id != meeting_id:
            raise NotFoundError(f"agenda item {agenda_item_id}")
    if len(body) > MAX_NOTE:
        raise ValidationError({"body": f"Notes can have at most {MAX_NOTE:,} characters."})
    scope = note_scope(actor, agenda_item_id, private)
    note = session.scalar(select(Note).where(Note.meeting_id == meeting_id, Note.scope == scope))
    if note is None:
        if base_version != 0:
            raise ConflictError("These notes were removed meanwhile.", current="")
        note = Note(meeting_id=meeting_id, agenda_item_id=agenda_item_id, scope=scope, body=body,
                    visibility=NoteVisibility.PRIVATE if private else NoteVisibility.SHARED,
                    author_id=actor.user_id if private else None, version=1)
        session.add(note)
        session.flush()
        return note
    changed = session.execute(update(Note).where(Note.id == note.id, Note.version == base_version)
                              .values(version=base_version + 1, body=body)).rowcount
    session.refresh(note)
    if changed != 1:
        raise ConflictError("Someone else saved these notes while you were writing. Their text is shown "
                            "below yours: merge the two and save again.", current=note.body)
    if note.crdt_state is not None:  # the UPDATE above holds the row lock until the commit
        doc = load_doc(note.crdt_state)
        replace_text(doc, body)
        note.crdt_state = doc.get_update()
        session.flush()
    return note
