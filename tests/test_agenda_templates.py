"""Template files: the built-ins load and make sensible agendas; broken files are explained."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from meetings.cli import main
from meetings.domain.agenda_templates import (
    VARIABLE,
    VARIABLES,
    TemplateError,
    builtin_templates,
    load_template_file,
    parse_template,
    render_text,
    spec_to_toml,
)

BUILTIN = Path(__file__).parent.parent / "agenda_templates"
REQUIRED = {"one-on-one", "sprint-planning", "sprint-retrospective", "roadmap-review", "stakeholder-update",
            "weekly-team-meeting", "daily-standup", "project-kickoff"}


def test_the_required_built_ins_exist():
    assert REQUIRED <= set(builtin_templates())


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_each_built_in_makes_a_sensible_agenda(key):
    template = builtin_templates()[key]
    spec = template.spec
    assert spec.purpose and spec.audience and len(spec.purpose) > 40
    assert len(spec.sections) >= 2 and all(s.prompt for s in spec.sections)
    assert all(s.items for s in spec.sections)
    assert all(i.minutes and i.owner for s in spec.sections for i in s.items)
    assert 0 < template.planned_minutes <= spec.duration_minutes  # the time boxes fit the meeting
    assert spec.action_item_prompts
    values = {name: f"<{name}>" for name in VARIABLES}
    texts = [spec.title] + [s.title for s in spec.sections] + [i.title for s in spec.sections for i in s.items]
    assert all("{{" not in render_text(t, values) for t in texts)


def test_written_back_a_template_reads_the_same():
    for template in builtin_templates().values():
        assert parse_template(spec_to_toml(template.spec), "x.toml") == template.spec


def _broken(tmp_path, original, old, new, name="broken.toml"):
    text = (BUILTIN / original).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "1-on-1"', 'name = 1', "Expected `str`, got `int` - at `name`"),
        ("minutes = 5", 'minutes = "five"', "Expected `int | null`, got `str` - at `sections[0].items[0].minutes`"),
        ("minutes = 5", "minutes = 0", "`sections[0].items[0].minutes` must be between 1 and 480"),
        ('title = "{{ manager }} / {{ report }} 1-on-1"', 'title = "{{ manger }} 1-on-1"',
         "`title` uses the unknown variable {{ manger }}"),
        ('prompt = "Start', 'prompt = "{{ report Start', "`sections[0].prompt` has a '{{' that does not start"),
        ("duration_minutes = 30", "duration_minutes = 30\ncolour = 'blue'", "Object contains unknown field `colour`"),
        ('owner = "report"', 'owner = "The Report"', "`sections[0].items[0].owner` must be a role name"),
        ('recurrence = "FREQ=WEEKLY"', 'recurrence = "EVERY TUESDAY"', "`recurrence` is not an RFC 5545 rule"),
        ('purpose = "', 'purpose = ', "not valid TOML"),
    ],
)
def test_broken_files_are_rejected_with_file_field_and_problem(tmp_path, old, new, message):
    path = _broken(tmp_path, "one-on-one.toml", old, new)
    with pytest.raises(TemplateError) as info:
        load_template_file(path)
    assert str(info.value).startswith("broken.toml: ")
    assert message in str(info.value)


def test_a_syntax_error_names_the_line(tmp_path):
    path = _broken(tmp_path, "one-on-one.toml", 'audience = "A manager', 'audience = A manager')
    with pytest.raises(TemplateError, match=r"broken\.toml: not valid TOML: .*line 5"):
        load_template_file(path)


def test_missing_fields_are_named(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text('name = "x"\n')
    with pytest.raises(TemplateError, match="empty.toml: Object missing required field `purpose`"):
        load_template_file(path)


def test_a_broken_built_in_stops_the_app_from_starting(tmp_path):
    folder = tmp_path / "agenda_templates"
    shutil.copytree(BUILTIN, folder)
    _broken(folder, "daily-standup.toml", "minutes = 5", "minutes = -5", name="daily-standup.toml")
    with pytest.raises(TemplateError, match="daily-standup.toml: `sections\\[0\\].items\\[0\\].minutes`"):
        builtin_templates(folder)


def test_cli_validate_passes_good_files_and_fails_broken_ones(tmp_path):
    good = CliRunner().invoke(main, ["templates", "validate", str(BUILTIN / "roadmap-review.toml")])
    assert good.exit_code == 0 and "ok: roadmap-review.toml: Roadmap review" in good.output
    bad_path = _broken(tmp_path, "roadmap-review.toml", "{{ previous_meeting_date }}", "{{ last_date }}")
    bad = CliRunner().invoke(main, ["templates", "validate", str(bad_path)])
    assert bad.exit_code == 1
    assert "error: broken.toml: `sections[0].prompt` uses the unknown variable {{ last_date }}" in bad.output


def test_cli_list_and_show():
    listed = CliRunner().invoke(main, ["templates", "list"])
    assert listed.exit_code == 0 and all(key in listed.output for key in REQUIRED)
    shown = CliRunner().invoke(main, ["templates", "show", "sprint-planning"])
    assert "## Sprint goal" in shown.output and "Walk the top of the backlog (40 min, product_owner)" in shown.output
    missing = CliRunner().invoke(main, ["templates", "show", "nope"])
    assert missing.exit_code == 1 and "no template named 'nope'" in missing.output


def test_variable_pattern_accepts_spacing():
    assert VARIABLE.findall("{{team}} {{  sprint_number  }}") == ["team", "sprint_number"]
