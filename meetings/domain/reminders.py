"""Reminders: what the scheduler owes people at a given moment, written to the outbox once each.

Every reminder has an idempotency key (kind, object, occasion), so running the scan twice, in two
processes, or again after a restart never queues one twice; a scan after downtime catches up on
what fell due meanwhile, once. Times are each person's own: "the morning of the due day" is 09:00
where the assignee lives, and a reminder that falls in someone's quiet hours waits in the outbox
until they end. Every reminder carries a one-click unsubscribe link for its kind (RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from meetings.domain.access import actor_for
from meetings.domain.action_item_export import ActionItemFilter, action_item_page, today_for
from meetings.domain.notification_prefs import KINDS, quiet_until
from meetings.domain.outbox import EmailComposer, queue_email
from meetings.domain.recap import recap_context
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    NotificationPreference,
    OutboxMessage,
    ReportingLine,
    TeamMembership,
    TeamRole,
    User,
)

MORNING = time(9, 0)
OVERDUE_EVERY = timedelta(days=3)
OVERDUE_TIMES = 3
DEFAULT_LEAD = timedelta(hours=24)
RECAP_WITHIN = timedelta(days=2)  # meetings ended longer ago get no recap (e.g. after a long outage)
DIGEST_WITHIN = timedelta(days=2)  # a scheduler down on digest morning still sends it, but not days late


@dataclass
class ReminderReport:
    """What one scan queued, by kind."""

    queued: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.queued[kind] = self.queued.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def _prefs(session: Session, user_ids: set[int]) -> dict[int, NotificationPreference]:
    rows = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))
    return {p.user_id: p for p in rows}


def _wants(prefs: dict[int, NotificationPreference], user_id: int, kind: str) -> bool:
    pref = prefs.get(user_id)
    return pref is None or (not pref.unsubscribed_all and getattr(pref, kind))


def _local_moment(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


def _queue(session: Session, composer: EmailComposer, report: ReminderReport, *, key: str, kind: str, user: User,
           prefs: dict[int, NotificationPreference], template: str, context: dict[str, Any], now: datetime) -> None:
    """Queue one reminder: held back until the person's quiet hours end, with a one-click unsubscribe."""
    unsubscribe = composer.unsubscribe_url(user.id, kind)
    context = {"name": user.name, "unsubscribe_link": unsubscribe, "unsubscribe_what": KINDS[kind],
               "preferences_link": f"{composer.base_url}/settings/notifications", **context}
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    if queue_email(session, composer, key=key, kind=kind, recipient=user.email, user_id=user.id, template=template,
                   context=context, now=now, send_at=quiet_until(prefs.get(user.id), user.time_zone, now),
                   headers=headers) is not None:
        report.add(kind)


def due_reminders(session: Session, composer: EmailComposer, now: datetime, report: ReminderReport) -> None:
    """Due today (from 09:00 local) and overdue (the morning after, then every three days, three times)."""
    # Open items due by tomorrow (in any zone) that still owe a reminder: served by the (status, due) index.
    items = list(session.scalars(
        select(ActionItem).where(ActionItem.status == ActionItemStatus.OPEN, ActionItem.assignee_id.is_not(None),
                                 ActionItem.due_date.is_not(None), ActionItem.due_date <= (now + timedelta(days=1)).date(),
                                 ActionItem.overdue_reminders_sent < OVERDUE_TIMES)
        .options(selectinload(ActionItem.assignee), selectinload(ActionItem.meeting))))
    prefs = _prefs(session, {i.assignee_id for i in items if i.assignee_id})
    for item in items:
        user = item.assignee
        assert user is not None and item.due_date is not None
        if not user.is_active:
            continue
        link = f"{composer.base_url}/meetings/{item.meeting_id}#action-{item.id}"
        context = {"item": item.title, "meeting": item.meeting.title, "due": item.due_date.isoformat(), "link": link}
        due_at = _local_moment(item.due_date, MORNING, user.time_zone)
        if due_at <= now < due_at + timedelta(days=1) and _wants(prefs, user.id, "action_item_due"):
            _queue(session, composer, report, key=f"action-item-due:{item.id}:{item.due_date}", kind="action_item_due",
                   user=user, prefs=prefs, template="reminder_due", context=context, now=now)
        first_overdue = _local_moment(item.due_date + timedelta(days=1), MORNING, user.time_zone)
        number = max((n for n in range(1, OVERDUE_TIMES + 1) if first_overdue + OVERDUE_EVERY * (n - 1) <= now),
                     default=0)
        if number > item.overdue_reminders_sent and _wants(prefs, user.id, "action_item_overdue"):
            days = (now.astimezone(ZoneInfo(user.time_zone)).date() - item.due_date).days
            _queue(session, composer, report, key=f"action-item-overdue:{item.id}:{item.due_date}:{number}",
                   kind="action_item_overdue", user=user, prefs=prefs, template="reminder_overdue",
                   context={**context, "days": days}, now=now)
            # After an outage only the latest reminder goes out; the missed ones count as sent.
            item.overdue_reminders_sent = number


def pre_meeting_reminders(session: Session, composer: EmailComposer, now: datetime, report: ReminderReport) -> None:
    """Ask attendees who have not added a topic yet to add theirs, the series' lead time ahead."""
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now,
                              Meeting.starts_at <= now + timedelta(days=8))
        .options(selectinload(Meeting.attendees).selectinload(MeetingAttendee.user), selectinload(Meeting.series))))
    for meeting in meetings:
        series: MeetingSeries | None = meeting.series
        if series is not None and not series.pre_meeting_reminder:
            continue
        lead = timedelta(minutes=series.reminder_lead_minutes) if series is not None else DEFAULT_LEAD
        if now < meeting.starts_at - lead:
            continue
        users = [a.user for a in meeting.attendees if a.user.is_active]
        prefs = _prefs(session, {u.id for u in users})
        for user in users:
            has_topic = session.scalar(select(exists().where(AgendaItem.meeting_id == meeting.id,
                                                             AgendaItem.created_by_id == user.id)))
            if has_topic or not _wants(prefs, user.id, "pre_meeting"):
                continue
            start = meeting.starts_at.astimezone(ZoneInfo(user.time_zone))
            _queue(session, composer, report, key=f"pre-meeting:{meeting.id}:{user.id}", kind="pre_meeting",
                   user=user, prefs=prefs, template="reminder_pre_meeting", now=now,
                   context={"meeting": meeting.title, "when": f"{start:%a} {start.day} {start:%b, %H:%M} ({user.time_zone})",
                            "link": f"{composer.base_url}/meetings/{meeting.id}#agenda-title"})


def recap_emails(session: Session, composer: EmailComposer, now: datetime, report: ReminderReport) -> None:
    """After a meeting ends: notes, decisions and action items to its attendees (unless they opted out)."""
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.ENDED, Meeting.ended_at.is_not(None),
                              Meeting.ended_at >= now - RECAP_WITHIN)
        .options(selectinload(Meeting.attendees).selectinload(MeetingAttendee.user))))
    for meeting in meetings:
        attendees = [a for a in meeting.attendees if a.user.is_active and not a.recap_opt_out and a.attended is not False]
        prefs = _prefs(session, {a.user_id for a in attendees})
        content = recap_context(session, meeting, composer.base_url)
        for attendee in attendees:
            if _wants(prefs, attendee.user_id, "recap"):
                _queue(session, composer, report, key=f"recap:{meeting.id}:{attendee.user_id}", kind="recap",
                       user=attendee.user, prefs=prefs, template="recap", context=content, now=now)


def _digest_day(pref: NotificationPreference | None, time_zone: str, now: datetime) -> date | None:
    """The digest day whose 09:00 (local) has passed less than DIGEST_WITHIN ago, if any."""
    local = now.astimezone(ZoneInfo(time_zone))
    weekday = pref.digest_weekday if pref is not None else 0
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = _local_moment(day, MORNING, time_zone)
    return day if moment <= now < moment + DIGEST_WITHIN else None


def digest_emails(session: Session, composer: EmailComposer, now: datetime, report: ReminderReport) -> None:
    """Weekly, to each manager: the open action items of their teams' members and their reports
    (only those the manager may see), overdue ones first. Nothing is sent when nothing is open."""
    managing = select(TeamMembership.user_id).where(TeamMembership.role == TeamRole.MANAGER)
    with_reports = select(ReportingLine.manager_id)
    managers = list(session.scalars(select(User).where(User.is_active, or_(User.id.in_(managing),
                                                                            User.id.in_(with_reports)))))
    prefs = _prefs(session, {m.id for m in managers})
    for manager in managers:
        day = _digest_day(prefs.get(manager.id), manager.time_zone, now)
        if day is None or not _wants(prefs, manager.id, "digest"):
            continue
        key = f"digest:{manager.id}:{day.isoformat()}"
        if session.scalar(select(exists().where(OutboxMessage.idempotency_key == key))):
            continue  # already queued this week: skip the queries
        today = today_for(manager.time_zone, now)
        items, more = action_item_page(session, ActionItemFilter(scope="team", status="open"),
                                       actor_for(session, manager), today, page=1)
        if not items:
            continue
        rows = [{"title": i.title, "assignee": i.assignee.name if i.assignee else "Nobody",
                 "due": i.due_date.isoformat() if i.due_date else "", "meeting": i.meeting.title,
                 "link": f"{composer.base_url}/meetings/{i.meeting_id}#action-{i.id}"} for i in items]
        overdue = [r for r, i in zip(rows, items, strict=True) if i.due_date is not None and i.due_date < today]
        _queue(session, composer, report, key=key, kind="digest", user=manager, prefs=prefs, template="digest",
               now=now, context={"overdue": overdue, "outstanding": [r for r in rows if r not in overdue],
                                 "more": more, "week_of": day.isoformat(),
                                 "link": f"{composer.base_url}/action-items?scope=team"})


def run_reminders(session: Session, composer: EmailComposer, now: datetime) -> ReminderReport:
    """Every reminder due at ``now`` that is not in the outbox yet."""
    report = ReminderReport()
    due_reminders(session, composer, now, report)
    pre_meeting_reminders(session, composer, now, report)
    recap_emails(session, composer, now, report)
    digest_emails(session, composer, now, report)
    return report
