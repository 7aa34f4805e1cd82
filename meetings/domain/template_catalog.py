"""The template gallery: built-in templates and each team's own, and who may change the latter.

Any member of a team may use, create, edit and import its templates; a team's managers (and
workspace admins) may also delete them. Built-ins are never edited in place: they are copied.
Someone outside the team gets NotFoundError for its templates.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.domain.access import Actor
from meetings.domain.agenda_templates import (
    AgendaTemplate,
    ItemSpec,
    SectionSpec,
    TemplateError,
    TemplateSpec,
    builtin_templates,
    parse_template,
    spec_to_toml,
)
from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.models import AgendaItem, AgendaSection, Meeting, Team
from meetings.models import AgendaTemplate as CustomTemplate

CUSTOM_PREFIX = "custom-"
MAX_SOURCE = 100_000


def _from_row(row: CustomTemplate) -> AgendaTemplate:
    spec = parse_template(row.source, f"{row.key}.toml")
    return AgendaTemplate(key=f"{CUSTOM_PREFIX}{row.id}", spec=spec, source=row.source, builtin=False,
                          team_id=row.team_id, custom_id=row.id)


def find_template(session: Session, key: str | None, team_id: int | None) -> AgendaTemplate | None:
    """The template a meeting or series refers to (None when it no longer exists)."""
    if not key:
        return None
    if key.startswith(CUSTOM_PREFIX) and key[len(CUSTOM_PREFIX):].isdigit():
        row = session.get(CustomTemplate, int(key[len(CUSTOM_PREFIX):]))
        return _from_row(row) if row is not None and (team_id is None or row.team_id == team_id) else None
    return builtin_templates().get(key)


def gallery(session: Session, actor: Actor) -> tuple[list[AgendaTemplate], list[tuple[Team, list[AgendaTemplate]]]]:
    """Built-in templates, and the templates of each of the actor's teams."""
    builtins = sorted(builtin_templates().values(), key=lambda t: t.spec.name.lower())
    teams = list(session.scalars(select(Team).where(Team.id.in_(actor.team_ids)).order_by(Team.name)))
    rows = list(session.scalars(select(CustomTemplate).where(CustomTemplate.team_id.in_(actor.team_ids))
                                .order_by(CustomTemplate.name)))
    return builtins, [(team, [_from_row(r) for r in rows if r.team_id == team.id]) for team in teams]


def template_for(session: Session, actor: Actor, key: str) -> AgendaTemplate:
    """A template the actor may use; NotFoundError otherwise."""
    template = find_template(session, key, None)
    if template is None or (template.team_id is not None and template.team_id not in actor.team_ids):
        raise NotFoundError(f"template {key}")
    return template


def template_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "template"


def require_member(actor: Actor, team_id: int) -> None:
    if team_id not in actor.team_ids:
        raise NotFoundError(f"team {team_id}")


def save_template(session: Session, actor: Actor, team_id: int, source: str, now: datetime,
                  custom_id: int | None = None) -> AgendaTemplate:
    """Create (or, with ``custom_id``, replace) a team template from its TOML text."""
    require_member(actor, team_id)
    if len(source) > MAX_SOURCE:
        raise ValidationError({"source": f"A template can have at most {MAX_SOURCE:,} characters."})
    try:
        spec = parse_template(source, "template.toml")
    except TemplateError as exc:
        raise ValidationError({"source": str(exc).removeprefix("template.toml: ")}) from None
    row = None
    if custom_id is not None:
        row = session.get(CustomTemplate, custom_id)
        if row is None or row.team_id != team_id:
            raise NotFoundError(f"template {custom_id}")
    key = template_slug(spec.name)
    clash = session.scalar(select(CustomTemplate.id).where(
        CustomTemplate.team_id == team_id, CustomTemplate.key == key, CustomTemplate.id != (custom_id or 0)))
    if clash is not None:
        raise ValidationError({"source": f"Your team already has a template named “{spec.name}”."})
    if row is None:
        row = CustomTemplate(team_id=team_id, created_by_id=actor.user_id, created_at=now)
        session.add(row)
    row.key, row.name, row.source, row.updated_at = key, spec.name[:200], source, now
    session.flush()
    return _from_row(row)


def delete_template(session: Session, actor: Actor, custom_id: int) -> None:
    """Team managers and admins delete a team's template; meetings made from it keep their agenda."""
    row = session.get(CustomTemplate, custom_id)
    if row is None or (row.team_id not in actor.team_ids and not actor.is_admin):
        raise NotFoundError(f"template {custom_id}")
    if not (actor.manages_team(row.team_id) or row.created_by_id == actor.user_id):
        raise ForbiddenError("Only the team's managers or the template's author can delete it.")
    session.delete(row)


def copy_builtin(session: Session, actor: Actor, key: str, team_id: int, now: datetime) -> AgendaTemplate:
    """A team's own editable copy of a built-in template."""
    template = builtin_templates().get(key)
    if template is None:
        raise NotFoundError(f"template {key}")
    spec = parse_template(template.source, f"{key}.toml")
    name = f"{spec.name} ({_team_name(session, team_id)})"
    copy = TemplateSpec(name=name, purpose=spec.purpose, audience=spec.audience, duration_minutes=spec.duration_minutes,
                        title=spec.title, sections=spec.sections, recurrence=spec.recurrence,
                        action_item_prompts=spec.action_item_prompts)
    return save_template(session, actor, team_id, spec_to_toml(copy), now)


def _team_name(session: Session, team_id: int) -> str:
    team = session.get(Team, team_id)
    return team.name if team else "team"


def save_meeting_as_template(session: Session, actor: Actor, meeting: Meeting, name: str,
                             now: datetime) -> AgendaTemplate:
    """A new team template from a meeting's agenda (its sections, items and time boxes)."""
    if meeting.team_id is None:
        raise ValidationError({"name": "Only a team's meeting can become a team template."})
    if not name.strip():
        raise ValidationError({"name": "Name the template."})
    sections = list(session.scalars(select(AgendaSection).where(AgendaSection.meeting_id == meeting.id)
                                    .order_by(AgendaSection.position)))
    items = list(session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                 .order_by(AgendaItem.position)))
    specs = [SectionSpec(title=_literal(s.title), prompt=_literal(s.prompt), items=[
        ItemSpec(title=_literal(i.title), minutes=i.time_box_minutes, owner=i.owner_role,
                 points=_literal(i.talking_points))
        for i in items if i.section_id == s.id]) for s in sections if s.title != "Carried over"]
    loose = [ItemSpec(title=_literal(i.title), minutes=i.time_box_minutes, owner=i.owner_role)
             for i in items if i.section_id is None]
    if loose:
        specs.append(SectionSpec(title="Topics", items=loose))
    if not specs:
        raise ValidationError({"name": "The agenda is empty: add sections or items first."})
    spec = TemplateSpec(name=name.strip()[:200], purpose=f"Saved from “{meeting.title}”.", audience="The team",
                        duration_minutes=max(5, min(720, meeting.duration_minutes)),
                        title=_literal(meeting.title), sections=specs)
    return save_template(session, actor, meeting.team_id, spec_to_toml(spec), now)


def _literal(text: str) -> str:
    """Text people typed, made safe to store in a template: "{{" there is not a variable."""
    return text.replace("{{", "{ {")
