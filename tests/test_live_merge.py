"""Property-based tests (hypothesis) of the server-side merge of shared notes.

Several clients start from the same note, edit it concurrently (each on its own copy, unaware of
the others), and their updates reach the server interleaved in any way, some of them twice, the
document stored and reloaded between merges; a plain-form save (``replace_text``) edits the result.
Whatever the interleaving: the server's text is the same, every client that then syncs shows exactly
that text, and nothing anyone inserted is lost.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from meetings.domain.live_notes import OutOfOrder, load_doc, merge, replace_text, text_of

WORDS = st.text(alphabet="abcdefgh xyzäé😀\n", min_size=1, max_size=6)
# An edit: insert ``text`` at a fraction of the length, or delete ``length`` at a fraction.
INSERT = st.tuples(st.just("insert"), st.floats(0, 1), WORDS)
DELETE = st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 4))


def edit(doc: Doc, op: tuple) -> bytes:
    """Apply one edit to a client's copy; return the Yjs update it produced."""
    text = doc.get("body", type=Text)
    before = doc.get_state()
    value = str(text)
    kind, where, arg = op
    # pycrdt counts UTF-8 bytes; pick a character position and convert it.
    at = int(where * len(value))
    start = len(value[:at].encode())
    if kind == "insert":
        text.insert(start, arg)
    elif value:
        end = len(value[:min(len(value), at + arg)].encode())
        if end > start:
            del text[start:end]
    return doc.get_update(before)


def clients_from(base: bytes, count: int) -> list[Doc]:
    copies = []
    for _ in range(count):
        doc = Doc()
        doc.get("body", type=Text)
        doc.apply_update(base)
        copies.append(doc)
    return copies


def deliver(base: bytes, per_client: list[list[bytes]], data: st.DataObject) -> Doc:
    """The server's side: updates arrive interleaved in any way between clients (each client's own in
    the order it sent them, as one socket carries them), some twice; the document is stored and
    reloaded between merges, as the server does."""
    turns = data.draw(st.permutations([i for i, updates in enumerate(per_client) for _ in updates]))
    queues = [list(updates) for updates in per_client]
    stored, delivered = base, []
    for turn in turns:
        update = queues[turn].pop(0)
        again = data.draw(st.sampled_from(delivered)) if delivered and data.draw(st.booleans()) else None
        for each in [update] + ([again] if again else []):
            stored = merge(load_doc(stored), each).get_update()
        delivered.append(update)
    return load_doc(stored)


@settings(max_examples=100, deadline=None)
@given(
    start=st.text(alphabet="abc \n", max_size=20),
    edits=st.lists(st.lists(st.one_of(INSERT, DELETE), min_size=1, max_size=6), min_size=2, max_size=4),
    data=st.data(),
)
def test_any_interleaving_gives_the_same_text_everywhere(start, edits, data):
    base = load_doc(None, start).get_update()
    clients = clients_from(base, len(edits))
    per_client = [[edit(client, op) for op in ops] for client, ops in zip(clients, edits, strict=True)]
    first, second = deliver(base, per_client, data), deliver(base, per_client, data)
    assert text_of(first) == text_of(second)
    for client in clients:  # each client syncs with the server and shows its text
        client.apply_update(first.get_update(client.get_state()))
        assert str(client.get("body", type=Text)) == text_of(first)


def test_an_update_ahead_of_the_server_is_refused_not_lost():
    base = load_doc(None, "").get_update()
    (client,) = clients_from(base, 1)
    first, second = edit(client, ("insert", 0, "ab")), edit(client, ("insert", 0.5, "X"))
    with pytest.raises(OutOfOrder):
        merge(load_doc(base), second)
    stored = merge(load_doc(base), first).get_update()
    assert text_of(merge(load_doc(stored), second)) == "aXb"


@settings(max_examples=100, deadline=None)
@given(
    inserts=st.lists(st.lists(st.tuples(st.just("insert"), st.floats(0, 1), WORDS), min_size=1, max_size=5),
                     min_size=2, max_size=4),
    form_save=st.one_of(st.none(), st.text(alphabet="abc XY", max_size=12)),
    data=st.data(),
)
def test_concurrent_typing_never_loses_text(inserts, form_save, data):
    base = load_doc(None, "# Notes\n").get_update()
    clients = clients_from(base, len(inserts))
    per_client = [[edit(client, op) for op in ops] for client, ops in zip(clients, inserts, strict=True)]
    server = deliver(base, per_client, data)
    merged = text_of(server)
    # Nothing typed is lost and nothing doubled: every character of every insert is there, once.
    typed = Counter("# Notes\n")
    for ops in inserts:
        for _, _, arg in ops:
            typed.update(arg)
    assert Counter(merged) == typed
    # Each client's own text, in its own order, is a subsequence of the merged text.
    for client in clients:
        rest = iter(merged)
        assert all(char in rest for char in str(client.get("body", type=Text)))
    if form_save is not None:  # a plain-form save made from the merged text is the smallest edit
        replace_text(server, merged + form_save)
        assert text_of(server) == merged + form_save


def test_a_single_insert_stays_in_one_piece():
    base = load_doc(None, "ab").get_update()
    server = load_doc(base)
    maya, leo = clients_from(base, 2)
    updates = [edit(maya, ("insert", 0.5, "MAYA")), edit(leo, ("insert", 0.5, "LEO"))]
    for update in reversed(updates):
        merge(server, update)
    assert text_of(server) in {"aMAYALEOb", "aLEOMAYAb"}
