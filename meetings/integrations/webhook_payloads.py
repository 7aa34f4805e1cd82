"""The body a webhook receives: our JSON event, or a chat message for Slack or Microsoft Teams.

- ``json``: the event as stored, links made absolute with MEETINGS_BASE_URL.
- ``slack``: ``{"text": ...}`` in Slack's mrkdwn, what a Slack incoming webhook URL accepts.
- ``teams``: a message with one Adaptive Card (version 1.4) attachment. Both ways Teams offers a
  channel webhook accept it: the Workflows app's "Post to a channel when a webhook request is
  received" (which takes no MessageCard) and the older Office 365 "Incoming Webhook" connector.

The body is rendered from the stored event, so every attempt of a delivery posts the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

LABELS = {
    "meeting.created": "New meeting",
    "meeting.updated": "Meeting changed",
    "meeting.ended": "Meeting ended",
    "action_item.created": "New action item",
    "action_item.assigned": "Action item assigned",
    "action_item.completed": "Action item completed",
    "action_item.overdue": "Action item overdue",
    "ping": "Test event",
}
CHANGES = {"cancelled": "cancelled", "rescheduled": "moved", "series_changed": "changed with its series"}


def absolute_links(value: Any, base_url: str) -> Any:
    """The event with every ``url`` that is a path turned into a full URL."""
    if isinstance(value, dict):
        return {k: (base_url.rstrip("/") + v if k == "url" and isinstance(v, str) and v.startswith("/")
                    else absolute_links(v, base_url)) for k, v in value.items()}
    if isinstance(value, list):
        return [absolute_links(v, base_url) for v in value]
    return value


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(event: dict[str, Any]) -> tuple[str, str | None, list[str]]:
    """A headline, its link and detail lines, in plain text (each format marks them up)."""
    data, kind = event["data"], event["type"]
    label = LABELS.get(kind, kind)
    if kind == "ping":
        return f"{label} from Meetings for {event['team']['name']}", None, ["Webhook delivery works."]
    if "action_item" in data:
        item = data["action_item"]
        details = [f"Meeting: {data['meeting']['title']}"]
        if item["assignee"]:
            details.append(f"Assignee: {item['assignee']['name']}")
        if item["due_date"]:
            details.append(f"Due: {item['due_date']}")
        return f"{label}: {item['title']}", item["url"], details
    meeting = data["meeting"]
    details = [f"Starts: {meeting['starts_at']} ({meeting['time_zone']}), {meeting['duration_minutes']} minutes"]
    if data.get("change"):
        details.append(f"The meeting was {CHANGES.get(data['change'], data['change'])}.")
    recap = data.get("recap")
    if recap:
        details.append("Covered: " + (", ".join(recap["covered"]) or "nothing"))
        if recap["not_covered"]:
            details.append("Not covered: " + ", ".join(recap["not_covered"]))
        details += [f"Decision: {d}" for d in recap["decisions"]]
        details += [f"Action item: {a['title']} ({a['assignee']}{', due ' + a['due_date'] if a['due_date'] else ''})"
                    for a in recap["action_items"]]
    return f"{label}: {meeting['title']}", meeting["url"], details


def slack_message(event: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message (mrkdwn)."""
    headline, link, details = _lines(event)
    title = f"<{link}|{_slack_escape(headline)}>" if link else _slack_escape(headline)
    return {"text": "\n".join([f"*{title}*", *(_slack_escape(d) for d in details)])}


def teams_message(event: dict[str, Any]) -> dict[str, Any]:
    """A Teams channel message holding one Adaptive Card."""
    headline, link, details = _lines(event)
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": headline, "weight": "Bolder", "size": "Medium",
                                   "wrap": True}]
    body += [{"type": "TextBlock", "text": d, "wrap": True, "spacing": "Small"} for d in details]
    card: dict[str, Any] = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                            "version": "1.4", "body": body}
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Meetings", "url": link}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def render_body(stored: str, payload_format: str, base_url: str) -> bytes:
    """The bytes to post for a stored event in the webhook's format."""
    event = absolute_links(json.loads(stored), base_url)
    if payload_format == "slack":
        message = slack_message(event)
    elif payload_format == "teams":
        message = teams_message(event)
    else:
        message = event
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
