"""The README's option tables and the commands' options agree: every option a command takes is in its table, and
every option a table names is one the command takes (render's table once listed play's --song)."""

import re
from pathlib import Path

import pytest
import typer

from engine.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"--[a-z][a-z-]*")


def table_lines(command: str) -> list[str]:
    """The option-table rows of the README section `### \\`aqyn COMMAND ...\\``."""
    m = re.search(rf"^### `aqyn {command}\b.*?(?=^##)", README, re.S | re.M)
    assert m, f"README has no section for aqyn {command}"
    return [line for line in m.group(0).splitlines() if line.startswith("| `-")]


@pytest.mark.parametrize("command", ["render", "analyze", "live", "play"])
def test_every_option_is_in_the_readme_table_and_every_row_is_an_option(command):
    params = typer.main.get_command(app).commands[command].params
    options = {o for p in params for o in p.opts if o.startswith("--")} - {"--help"}
    rows = table_lines(command)
    named = {o for line in rows for o in OPTION.findall(line.split(" | ")[0])}
    mentioned = {o for line in rows for o in OPTION.findall(line)}
    assert named <= options, f"README rows for options aqyn {command} does not take: {sorted(named - options)}"
    assert options <= mentioned, f"aqyn {command} options missing from its README table: {sorted(options - mentioned)}"
