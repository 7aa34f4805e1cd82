"""Agenda templates: the file format, its validation, variables, and turning a template into an agenda.

A template is a TOML document (see agenda_templates/*.toml). Text fields may use variables written
``{{ name }}``; an unknown variable is an error when the template is loaded, never later.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
from dateutil.rrule import rrulestr

BUILTIN_DIR = Path(__file__).resolve().parent.parent.parent / "agenda_templates"

VARIABLES: dict[str, str] = {
    "meeting_title": "the meeting's title",
    "meeting_date": "the meeting's date, e.g. Tue 3 Mar 2026",
    "previous_meeting_date": "the date of the previous occurrence of the series",
    "team": "the team's name",
    "organizer": "the organiser's name",
    "attendees": "the attendees' names, comma-separated",
    "manager": "in a 1-on-1, the manager's name",
    "report": "in a 1-on-1, the report's name",
    "sprint_number": "the sprint number, counted along the series",
}
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
ROLE = re.compile(r"^[a-z][a-z_]{0,39}$")
MAX_MINUTES = 480


class ItemSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A default agenda item."""

    title: str
    minutes: int | None = None
    owner: str | None = None  # a role such as report, manager, facilitator
    points: str = ""


class SectionSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A section with a guiding prompt."""

    title: str
    prompt: str = ""
    items: list[ItemSpec] = []


class TemplateSpec(msgspec.Struct, forbid_unknown_fields=True):
    """The whole template file."""

    name: str
    purpose: str
    audience: str
    duration_minutes: int
    title: str
    sections: list[SectionSpec]
    recurrence: str | None = None
    action_item_prompts: list[str] = []


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file, the field or line, and the problem."""


@dataclass(frozen=True)
class AgendaTemplate:
    """A loaded, valid template. ``key`` is the file name without .toml, or ``custom-<id>``."""

    key: str
    spec: TemplateSpec
    source: str
    builtin: bool
    team_id: int | None = None
    custom_id: int | None = None

    @property
    def planned_minutes(self) -> int:
        return sum(i.minutes or 0 for s in self.spec.sections for i in s.items)


def parse_template(source: str, origin: str) -> TemplateSpec:
    """Parse and check template text; ``origin`` names it in error messages (a file name)."""
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{origin}: not valid TOML: {exc}") from None
    try:
        spec = msgspec.convert(raw, TemplateSpec)
    except msgspec.ValidationError as exc:
        message = str(exc).replace("`$.", "`").replace("`$`", "the file")
        raise TemplateError(f"{origin}: {message}") from None
    problems = list(_problems(spec))
    if problems:
        raise TemplateError(f"{origin}: " + "; ".join(problems))
    return spec


def _text_fields(spec: TemplateSpec) -> list[tuple[str, str]]:
    fields = [("name", spec.name), ("title", spec.title), ("purpose", spec.purpose)]
    fields += [(f"action_item_prompts[{n}]", p) for n, p in enumerate(spec.action_item_prompts)]
    for s, section in enumerate(spec.sections):
        fields += [(f"sections[{s}].title", section.title), (f"sections[{s}].prompt", section.prompt)]
        for i, item in enumerate(section.items):
            fields += [(f"sections[{s}].items[{i}].title", item.title), (f"sections[{s}].items[{i}].points", item.points)]
    return fields


def _problems(spec: TemplateSpec) -> list[str]:
    problems = []
    for where, text in _text_fields(spec):
        for name in VARIABLE.findall(text):
            if name not in VARIABLES:
                problems.append(f"`{where}` uses the unknown variable {{{{ {name} }}}} "
                                f"(known: {', '.join(sorted(VARIABLES))})")
        if "{{" in VARIABLE.sub("", text):
            problems.append(f"`{where}` has a '{{{{' that does not start a variable like {{{{ team }}}}")
    if not spec.name.strip():
        problems.append("`name` is empty")
    if not spec.title.strip() or len(spec.title) > 200:
        problems.append("`title` must have 1 to 200 characters")
    if not 5 <= spec.duration_minutes <= 720:
        problems.append("`duration_minutes` must be between 5 and 720")
    if not spec.sections:
        problems.append("`sections` needs at least one section")
    for s, section in enumerate(spec.sections):
        if not section.title.strip():
            problems.append(f"`sections[{s}].title` is empty")
        for i, item in enumerate(section.items):
            where = f"sections[{s}].items[{i}]"
            if not item.title.strip() or len(item.title) > 200:
                problems.append(f"`{where}.title` must have 1 to 200 characters")
            if item.minutes is not None and not 1 <= item.minutes <= MAX_MINUTES:
                problems.append(f"`{where}.minutes` must be between 1 and {MAX_MINUTES}")
            if item.owner is not None and not ROLE.match(item.owner):
                problems.append(f"`{where}.owner` must be a role name in lower case, like report or facilitator")
    if spec.recurrence:
        try:
            rrulestr(spec.recurrence)
        except (ValueError, TypeError) as exc:
            problems.append(f"`recurrence` is not an RFC 5545 rule: {exc}")
    return problems


def load_template_file(path: Path) -> AgendaTemplate:
    """Load one template file, or raise TemplateError naming it."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path.name}: cannot be read: {exc}") from None
    return AgendaTemplate(key=path.stem, spec=parse_template(source, path.name), source=source, builtin=True)


@lru_cache(maxsize=4)
def builtin_templates(directory: Path = BUILTIN_DIR) -> dict[str, AgendaTemplate]:
    """Every built-in template, by key; raises TemplateError for the first broken file."""
    templates = [load_template_file(path) for path in sorted(directory.glob("*.toml"))]
    return {t.key: t for t in templates}


def render_text(text: str, values: dict[str, str]) -> str:
    """Fill the variables in ``text``; every name was checked when the template was loaded."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), ""), text)


def variable_docs() -> dict[str, str]:
    """The variables templates may use, with what each becomes."""
    return dict(VARIABLES)


def spec_to_toml(spec: Any) -> str:
    """Write a template in the same TOML format as the built-in files."""
    def quote(text: str) -> str:
        if "\n" in text:
            return '"""\n' + text.replace("\\", "\\\\").replace('"""', '\\"""') + '"""'
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"name = {quote(spec.name)}", f"purpose = {quote(spec.purpose)}", f"audience = {quote(spec.audience)}",
             f"duration_minutes = {spec.duration_minutes}"]
    if spec.recurrence:
        lines.append(f"recurrence = {quote(spec.recurrence)}")
    lines.append(f"title = {quote(spec.title)}")
    lines.append("action_item_prompts = [" + ", ".join(quote(p) for p in spec.action_item_prompts) + "]")
    for section in spec.sections:
        lines += ["", "[[sections]]", f"title = {quote(section.title)}"]
        if section.prompt:
            lines.append(f"prompt = {quote(section.prompt)}")
        for item in section.items:
            lines += ["", "[[sections.items]]", f"title = {quote(item.title)}"]
            if item.minutes is not None:
                lines.append(f"minutes = {item.minutes}")
            if item.owner:
                lines.append(f"owner = {quote(item.owner)}")
            if item.points:
                lines.append(f"points = {quote(item.points)}")
    return "\n".join(lines) + "\n"
