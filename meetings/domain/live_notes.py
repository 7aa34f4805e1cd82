"""Shared notes edited together, character by character: a CRDT (Yjs in the browser, pycrdt here).

Each shared note keeps its collaborative document in ``notes.crdt_state`` (the full Yjs update) and a
plain Markdown snapshot in ``notes.body`` for exports, emails and search. Merging is commutative and
idempotent, so updates may arrive in any order, twice, or from several server processes: every merge
happens in a transaction that locks the note's row (``SELECT ... FOR UPDATE``; SQLite's writers are
serialised by ``BEGIN IMMEDIATE``), so two processes never overwrite each other's merged state.
Private notes are not live: they have one author and keep the plain-form save of notes.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycrdt import Doc, Text, get_update
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meetings.domain.access import Actor, require_meeting
from meetings.domain.errors import DomainError, NotFoundError, ValidationError
from meetings.models import AgendaItem, Note, NoteVisibility

TEXT_NAME = "body"  # the name of the Y.Text in the document; the browser uses the same
MAX_NOTE = 100_000  # characters, live or saved by a plain form (notes.py)


@dataclass(frozen=True)
class Merged:
    """What a merge left behind: the note's new version and snapshot."""

    version: int
    body: str


def parse_scope(scope: str) -> int | None:
    """The agenda item of a live note's scope ("shared" → None, "item:7" → 7); anything else is refused.

    Only shared notes are live, so a private scope never gets through here."""
    if scope == "shared":
        return None
    kind, _, number = scope.partition(":")
    if kind == "item" and number.isdigit() and len(number) < 12:
        return int(number)
    raise ValidationError({"scope": "Not a shared note."})


def text_of(doc: Doc) -> str:
    """The document's text (the Markdown snapshot)."""
    return str(doc.get(TEXT_NAME, type=Text))


def load_doc(state: bytes | None, body: str = "") -> Doc:
    """A document from a stored state; a note written before it was live starts from its body."""
    doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    if state:
        doc.apply_update(state)
    elif body:
        text += body
    return doc


class OutOfOrder(DomainError):
    """An update that builds on edits the server has not got yet; the client must sync first.

    (Yjs would park it as "pending", but a stored document keeps no pending parts: it would be lost.)"""


def merge(doc: Doc, update: bytes) -> Doc:
    """Apply a client's update to the server's document: in any order of independent edits, any
    number of times, the same updates give the same text (tests/test_live_merge.py checks it)."""
    try:
        doc.apply_update(update)
        # What of the update the document still lacks: an update (v1) starts with the number of
        # clients whose insertions it carries, so 0 means every insertion was integrated.
        left = get_update(update, doc.get_state())
    except ValueError:
        raise ValidationError({"update": "Not a Yjs update."}) from None
    if left[:1] != b"\x00":
        raise OutOfOrder("This update needs earlier ones first: sync again.")
    return doc


def replace_text(doc: Doc, new: str) -> None:
    """Make the document's text ``new`` with the smallest edit (one delete and one insert), so that
    whatever others type concurrently outside the changed range survives the merge."""
    text = doc.get(TEXT_NAME, type=Text)
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # pycrdt counts positions in UTF-8 bytes; Python strings count code points.
    begin = len(old[:start].encode())
    with doc.transaction():
        if end_old > start:
            del text[begin:begin + len(old[start:end_old].encode())]
        if end_new > start:
            text.insert(begin, new[start:end_new])


def _require_scope(session: Session, actor: Actor, meeting_id: int, scope: str) -> int | None:
    require_meeting(session, actor, meeting_id)
    item_id = parse_scope(scope)
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting_id:
            raise NotFoundError(f"agenda item {item_id}")
    return item_id


def _locked_note(session: Session, meeting_id: int, scope: str, item_id: int | None) -> Note:
    """The note's row, locked for this transaction; created (empty) when nobody wrote it yet."""
    query = select(Note).where(Note.meeting_id == meeting_id, Note.scope == scope).with_for_update()
    note = session.scalar(query)
    if note is not None:
        return note
    try:
        with session.begin_nested():
            note = Note(meeting_id=meeting_id, agenda_item_id=item_id, scope=scope, body="",
                        visibility=NoteVisibility.SHARED, version=1)
            session.add(note)
    except IntegrityError:  # another process created it at the same moment: use theirs
        note = session.scalar(query.execution_options(populate_existing=True))
        assert note is not None
    return note


def _ensure_state(note: Note) -> Doc:
    # The first live use of a note written by plain forms stores its document once, under the row
    # lock, so that two processes never seed the same text twice (with different client ids).
    doc = load_doc(note.crdt_state, note.body)
    if note.crdt_state is None:
        note.crdt_state = doc.get_update()
    return doc


def sync(session: Session, actor: Actor, meeting_id: int, scope: str, state_vector: bytes) -> tuple[bytes, bytes]:
    """The first step of the Yjs sync: what the client lacks (given its state vector), and the
    server's state vector so that the client can send what the server lacks. Writes nothing unless
    a note written by plain forms gets its document for the first time."""
    item_id = _require_scope(session, actor, meeting_id, scope)
    note = session.scalar(select(Note).where(Note.meeting_id == meeting_id, Note.scope == scope))
    if note is not None and note.crdt_state is None:
        note = _locked_note(session, meeting_id, scope, item_id)
    doc = _ensure_state(note) if note is not None else load_doc(None)
    try:
        missing = doc.get_update(state_vector or None)
    except ValueError:
        raise ValidationError({"state_vector": "Not a state vector."}) from None
    return missing, doc.get_state()


def merge_update(session: Session, actor: Actor, meeting_id: int, scope: str, update: bytes) -> Merged:
    """Merge a client's update into the stored note (creating it), keeping the Markdown snapshot."""
    item_id = _require_scope(session, actor, meeting_id, scope)
    note = _locked_note(session, meeting_id, scope, item_id)
    doc = merge(_ensure_state(note), update)
    body = text_of(doc)
    if len(body) > MAX_NOTE:
        raise ValidationError({"body": f"Notes can have at most {MAX_NOTE:,} characters."})
    if "\x00" in body:  # nobody types one, and PostgreSQL can't store it in text
        raise ValidationError({"body": "Notes can't hold NUL characters."})
    note.crdt_state = doc.get_update()
    if body != note.body:
        note.body = body
        note.version += 1  # a plain-form save started from the old text is now refused (notes.py)
    session.flush()
    return Merged(version=note.version, body=body)


def stored_state(session: Session, meeting_id: int, scope: str) -> bytes:
    """The whole stored document of a shared note (empty when it has none yet). No access check:
    only for sockets that were admitted to the meeting."""
    parse_scope(scope)
    state = session.scalar(select(Note.crdt_state).where(Note.meeting_id == meeting_id, Note.scope == scope))
    return state or b""
