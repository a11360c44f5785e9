"""The `aqyn` command. Thin: parse, call the library, print. Exit 0 ok, 1 runtime failure, 2 bad input.

One module per command: render.py, analyze.py, live.py (live and ports), play.py, patterns.py (the patterns group);
common.py holds what they share (the one-line failure, the player's options).
"""

from __future__ import annotations

import sys

import typer

from engine import __version__
from engine.cli.analyze import analyze
from engine.cli.live import live, ports
from engine.cli.patterns import app as patterns_app
from engine.cli.play import play
from engine.cli.render import render

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="aqyn: a dombra and Kazakh percussion band that follows a guitarist's MIDI.")
app.add_typer(patterns_app, name="patterns")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aqyn {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")) -> None:
    """aqyn listens to guitar MIDI and plays dombra and percussion along with it."""


app.command()(render)
app.command()(analyze)
app.command()(ports)
app.command()(live)
app.command()(play)


def main() -> None:
    """The console script: run the app; Ctrl-C exits 130."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
