"""The README's option tables and the commands' options agree: every option a command takes is in its table, and
every option a table names is one the command takes (render's table once listed play's --song)."""

import re
import shlex
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


def render_examples() -> list[list[str]]:
    """The README's `aqyn render` example commands, as argument lists after `render` (comments left out)."""
    lines = re.findall(r"^(?:\$ )?aqyn render (.+)$", README, re.M)
    return [shlex.split(line.split("  #")[0]) for line in lines]


def test_no_render_example_writes_over_its_input():
    """aqyn refuses `-o` naming the input ("output take3.mid is the input file"), so an example that does so
    fails as written (three of them did: `aqyn render take3.mid -o take3.mid --wav ...`)."""
    examples = render_examples()
    assert len(examples) >= 10
    for args in examples:
        out = args[args.index("-o") + 1]
        inputs = [a for a in args[: args.index("-o")] if not a.startswith("-")]
        assert out not in inputs, f"README example writes over its input: aqyn render {' '.join(args)}"
