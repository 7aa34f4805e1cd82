"""Plain dicts for the JSON API, one function per kind of object."""

from __future__ import annotations

from typing import Any

from meetings.domain.meetings import MeetingDetail
from meetings.models import ApiToken, Meeting, Team, User


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "time_zone": user.time_zone,
            "is_admin": user.is_admin, "is_active": user.is_active}


def team_json(team: Team) -> dict[str, Any]:
    members = sorted(team.memberships, key=lambda m: m.user.name.lower())
    return {"id": team.id, "name": team.name,
            "members": [{"user_id": m.user_id, "name": m.user.name, "email": m.user.email, "role": m.role.value}
                        for m in members]}


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id, "uid": meeting.uid, "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
        "duration_minutes": meeting.duration_minutes, "time_zone": meeting.time_zone,
        "visibility": meeting.visibility.value, "status": meeting.status.value, "team_id": meeting.team_id,
        "series_id": meeting.series_id, "organizer_id": meeting.organizer_id,
        "attendees": [{"user_id": a.user_id, "name": a.user.name} for a in meeting.attendees],
    }


def meeting_detail_json(detail: MeetingDetail) -> dict[str, Any]:
    sections = [
        {"id": s.id, "title": s.title, "prompt": s.prompt,
         "items": [{"id": i.id, "title": i.title, "talking_points": i.talking_points, "owner_id": i.owner_id,
                    "time_box_minutes": i.time_box_minutes, "state": i.state.value,
                    "carried_over_from_id": i.carried_over_from_id} for i in s.items]}
        for s in detail.sections
    ]
    return {
        **meeting_json(detail.meeting),
        "sections": sections,
        "notes": [{"id": n.id, "agenda_item_id": n.agenda_item_id, "visibility": n.visibility.value, "body": n.body}
                  for n in detail.notes],
        "decisions": [{"id": d.id, "text": d.text, "agenda_item_id": d.agenda_item_id} for d in detail.decisions],
        "action_items": [{"id": a.id, "title": a.title, "assignee_id": a.assignee_id,
                          "due_date": a.due_date.isoformat() if a.due_date else None, "status": a.status.value,
                          "agenda_item_id": a.agenda_item_id} for a in detail.action_items],
    }


def token_json(token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None}
