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


def _click_errors():
    """The click exception classes typer raises (typer >= 0.25 carries its own copy of click)."""
    try:
        from typer._click import exceptions  # noqa: PLC0415
    except ImportError:                       # older typer: click itself
        from click import exceptions  # noqa: PLC0415
    return exceptions


def usage_line(error) -> str:
    """A usage error (a missing or unknown option, a value of the wrong type, an unknown command) as aqyn's
    one line: the message, then the help that shows the right usage ('aqyn render --help')."""
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else "aqyn"
    return f"aqyn: error: {error.format_message()} (see {where} --help)"


def main() -> None:
    """The console script: run the app. Exit codes: 0 done, 1 runtime failure, 2 bad input or usage (one
    line, as every other bad input: not click's boxed usage text), 130 Ctrl-C."""
    errors = _click_errors()
    no_args_help = getattr(errors, "NoArgsIsHelpError", ())   # click >= 8.2 raises it for `aqyn` alone
    try:
        code = typer.main.get_command(app).main(prog_name="aqyn", standalone_mode=False)
    except no_args_help as exc:
        typer.echo(exc.format_message())      # `aqyn` or `aqyn patterns` alone: the help
        sys.exit(0)
    except errors.UsageError as exc:
        typer.echo(usage_line(exc), err=True)
        sys.exit(exc.exit_code)
    except errors.ClickException as exc:      # e.g. a file option that cannot be opened
        typer.echo(f"aqyn: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
