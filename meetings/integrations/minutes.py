"""Meeting minutes as Markdown: agenda with what was covered, notes, decisions and action items."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from meetings.domain.meetings import MeetingDetail


def _local(detail: MeetingDetail) -> str:
    start = detail.meeting.starts_at.astimezone(ZoneInfo(detail.meeting.time_zone))
    return f"{start:%a} {start.day} {start:%b %Y, %H:%M} ({detail.meeting.time_zone})"


def minutes_markdown(detail: MeetingDetail) -> str:
    """The minutes of one meeting, as its reader may see it (their private notes included)."""
    m = detail.meeting
    marks = {"discussed": "[x]", "deferred": "[-]", "open": "[ ]"}
    lines = [f"# {m.title}", "", f"{_local(detail)} · {m.duration_minutes} min", ""]
    attendees = ", ".join(sorted(a.user.name for a in m.attendees))
    lines += [f"**Attendees:** {attendees}", "", "## Agenda", ""]
    notes_by_item: dict[int | None, list[str]] = {}
    for note in detail.notes:
        label = " (private)" if note.visibility.value == "private" else ""
        if note.body.strip():
            notes_by_item.setdefault(note.agenda_item_id, []).append(f"{note.body.strip()}{label}")
    for section in detail.sections:
        lines += [f"### {section.title}", ""]
        for item in section.items:
            owner = f" ({item.owner.name})" if item.owner else ""
            lines.append(f"- {marks[item.state.value]} {item.title}{owner}")
            for text in notes_by_item.get(item.id, []):
                lines += [f"  > {line}" for line in text.splitlines()]
        lines.append("")
    for item in detail.unsectioned_items:
        lines.append(f"- {marks[item.state.value]} {item.title}")
    lines += ["## Notes", ""]
    lines += [*(notes_by_item.get(None) or ["No notes."]), ""]
    lines += ["## Decisions", ""]
    lines += [f"- {d.text}" for d in detail.decisions] or ["No decisions recorded."]
    lines += ["", "## Action items", ""]
    for a in detail.action_items:
        who = a.assignee.name if a.assignee else "Unassigned"
        due = f", due {a.due_date.isoformat()}" if a.due_date else ""
        done = "x" if a.status.value == "done" else " "
        source = f" (from “{a.agenda_item.title}”)" if a.agenda_item else ""
        lines.append(f"- [{done}] {a.title} — {who}{due}{source}")
    if not detail.action_items:
        lines.append("No action items.")
    return "\n".join(lines).rstrip() + "\n"
