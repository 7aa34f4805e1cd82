"""The README documents every setting and every command: adding one without docs fails here."""

from pathlib import Path

import click
import pytest

from meetings.cli import main
from meetings.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", Settings.names())
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`{name}`" in README, f"{name} is missing from the README's configuration table"


def _commands(group: click.Group, prefix: str = "meetings") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_has_help_and_docs(path, command):
    assert command.help, f"{path} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{path} {param.opts[0]} has no help text"
    assert f"`{path}" in README, f"{path} is missing from the README"


def test_readme_starts_with_the_two_commands():
    quick_start = README.split("\n## ", 2)[1]
    assert "make run" in quick_start and "make test" in quick_start
