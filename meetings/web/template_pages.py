"""The template gallery, previews, export and import, and the editor for a team's own templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from meetings.domain import template_catalog as catalog
from meetings.domain.access import Actor
from meetings.domain.agenda_templates import variable_docs
from meetings.domain.errors import ValidationError
from meetings.domain.meetings import meeting_detail
from meetings.domain.teams import teams_of
from meetings.web.forms import FormData, field, form_error
from meetings.web.meeting_page import meeting_page

NEW_TEMPLATE = '''name = "Our weekly sync"
purpose = "What this meeting is for."
audience = "Who attends"
duration_minutes = 30
title = "{{ team }} sync"
action_item_prompts = ["Who follows up on each decision?"]

[[sections]]
title = "Updates"
prompt = "What changed since {{ previous_meeting_date }}?"

[[sections.items]]
title = "Round of updates"
minutes = 15
owner = "team"
'''
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _team_id(data: dict[str, Any]) -> int:
    value = field(data, "team_id")
    if not value.isdigit():
        raise ValidationError({"team_id": "Choose one of your teams."})
    return int(value)


class TemplateController(Controller):
    """/templates: every signed-in person sees the built-ins and their teams' templates."""

    include_in_schema = False

    @get("/templates", name="templates", sync_to_thread=True)
    def gallery(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor]) -> Template:
        """Built-in and team templates with previews."""
        builtins, by_team = catalog.gallery(db_session, actor)
        return Template("agenda_templates/gallery.html", context={"builtins": builtins, "by_team": by_team})

    def _detail(self, session: Session, actor: Actor, key: str, **extra: Any) -> dict[str, Any]:
        template = catalog.template_for(session, actor, key)
        teams = teams_of(session, actor, member_only=True)
        return {"t": template, "teams": teams, "variables": variable_docs(), "errors": {}, "values": {}, **extra}

    @get("/templates/{key:str}", name="template", sync_to_thread=True)
    def detail(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               key: FromPath[str]) -> Template:
        """A template's sections, items, prompts and suggested follow-ups."""
        return Template("agenda_templates/detail.html", context=self._detail(db_session, actor, key))

    @get("/templates/{key:str}/export", sync_to_thread=True)
    def export(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               key: FromPath[str]) -> Response[str]:
        """The template as a file in the agenda_templates/ format."""
        template = catalog.template_for(db_session, actor, key)
        name = template.key if template.builtin else catalog.template_slug(template.spec.name)
        return Response(template.source, media_type="application/toml; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.toml"'})

    @post("/templates/{key:str}/copy", sync_to_thread=True)
    def copy(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
             now: NamedDependency[datetime], key: FromPath[str], data: FormData) -> Template | Redirect:
        """Copy a built-in template into a team, to edit it there."""
        try:
            copied = catalog.copy_builtin(db_session, actor, key, _team_id(data), now)
        except ValidationError as exc:
            return form_error("agenda_templates/detail.html", self._detail(db_session, actor, key), exc.errors, data)
        return Redirect(f"/templates/{copied.key}/edit", status_code=303)

    @get("/teams/{team_id:int}/templates/new", sync_to_thread=True)
    def new(self, actor: NamedDependency[Actor], db_session: NamedDependency[Session],
            team_id: FromPath[int]) -> Template:
        """The editor, with a small example to start from."""
        catalog.require_member(actor, team_id)
        return Template("agenda_templates/editor.html", context={
            "action": f"/teams/{team_id}/templates", "team_id": team_id, "variables": variable_docs(),
            "errors": {}, "values": {"source": NEW_TEMPLATE}, "t": None})

    @post("/teams/{team_id:int}/templates", sync_to_thread=True)
    def create(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               now: NamedDependency[datetime], team_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Save a new team template from the editor."""
        try:
            template = catalog.save_template(db_session, actor, team_id, field(data, "source"), now)
        except ValidationError as exc:
            return form_error("agenda_templates/editor.html", {
                "action": f"/teams/{team_id}/templates", "team_id": team_id, "variables": variable_docs(),
                "t": None}, exc.errors, data)
        return Redirect(f"/templates/{template.key}", status_code=303)

    @post("/teams/{team_id:int}/templates/import", sync_to_thread=True)
    def import_file(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                    now: NamedDependency[datetime], team_id: FromPath[int],
                    data: MultipartData) -> Template | Redirect:
        """Import a template file (the agenda_templates/ format)."""
        upload = data.get("file")
        source = ""
        if isinstance(upload, UploadFile):
            try:
                source = upload.file.read(catalog.MAX_SOURCE + 1).decode("utf-8")
            except UnicodeDecodeError:
                source = "\0"  # reported below as not valid TOML
        try:
            if not source.strip():
                raise ValidationError({"source": "Choose a .toml template file to import."})
            template = catalog.save_template(db_session, actor, team_id, source, now)
        except ValidationError as exc:
            return form_error("agenda_templates/editor.html", {
                "action": f"/teams/{team_id}/templates", "team_id": team_id, "variables": variable_docs(),
                "t": None}, exc.errors, {"source": source.replace("\0", "")})
        return Redirect(f"/templates/{template.key}", status_code=303)

    @get("/templates/{key:str}/edit", sync_to_thread=True)
    def edit_page(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                  key: FromPath[str]) -> Template | Redirect:
        """The editor for a team template (built-ins are copied first)."""
        template = catalog.template_for(db_session, actor, key)
        if template.builtin:
            return Redirect(f"/templates/{key}", status_code=303)
        return Template("agenda_templates/editor.html", context={
            "action": f"/templates/{key}/edit", "team_id": template.team_id, "variables": variable_docs(),
            "errors": {}, "values": {"source": template.source}, "t": template})

    @post("/templates/{key:str}/edit", sync_to_thread=True)
    def save(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
             now: NamedDependency[datetime], key: FromPath[str], data: FormData) -> Template | Redirect:
        """Save the edited template."""
        template = catalog.template_for(db_session, actor, key)
        if template.builtin or template.team_id is None:
            raise ValidationError({"source": "Built-in templates are not edited in place: copy one to your team."})
        try:
            saved = catalog.save_template(db_session, actor, template.team_id, field(data, "source"), now,
                                          custom_id=template.custom_id)
        except ValidationError as exc:
            return form_error("agenda_templates/editor.html", {
                "action": f"/templates/{key}/edit", "team_id": template.team_id, "variables": variable_docs(),
                "t": template}, exc.errors, data)
        return Redirect(f"/templates/{saved.key}", status_code=303)

    @post("/templates/{key:str}/delete", sync_to_thread=True)
    def delete(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
               key: FromPath[str]) -> Redirect:
        """Delete a team template."""
        template = catalog.template_for(db_session, actor, key)
        if template.custom_id is None:
            raise ValidationError({"form": "Built-in templates can't be deleted."})
        catalog.delete_template(db_session, actor, template.custom_id)
        return Redirect("/templates", status_code=303)

    @post("/meetings/{meeting_id:int}/save-as-template", sync_to_thread=True)
    def save_meeting(self, db_session: NamedDependency[Session], actor: NamedDependency[Actor],
                     now: NamedDependency[datetime], meeting_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Save this meeting's agenda as a template of its team."""
        detail = meeting_detail(db_session, actor, meeting_id)
        try:
            template = catalog.save_meeting_as_template(db_session, actor, detail.meeting, field(data, "name"), now)
        except ValidationError as exc:
            db_session.rollback()
            return meeting_page(db_session, actor, meeting_id, now, form="save-template", errors=exc.errors,
                                values={"name": field(data, "name")}, status_code=400)
        return Redirect(f"/templates/{template.key}/edit", status_code=303)
