"""The ``mirror`` command line.  A thin layer: the library computes, this prints.

One module per command (``extract``, ``analyze``, ``info``, ``batch``, ``live``, ``review``,
``progress``), imported only when its command runs or shows its own help: they import the
comparator, OpenCV, MediaPipe and the report, which ``mirror --help`` does not need.  What
they share sits below them: the option types (:mod:`mirror.cli.options`), the one error
handler (:mod:`mirror.cli.errors`), the progress bar (:mod:`mirror.cli.bars`) and the history
options (:mod:`mirror.cli.history`).
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info
from typer.models import CommandInfo

from mirror import __version__
from mirror.cli.errors import user_errors

LAZY_COMMANDS = {
    "extract": ("mirror.cli.extract", "extract"),
    "analyze": ("mirror.cli.analyze", "analyze"),
    "info": ("mirror.cli.info", "info"),
    "batch": ("mirror.cli.batch", "batch"),
    "live": ("mirror.cli.live", "live"),
    "review": ("mirror.cli.review", "review"),
    "progress": ("mirror.cli.progress", "progress"),
}
"""Command name -> (module, function), in the order ``mirror --help`` lists them.  Each module is
imported only when its command is resolved (run, or asked for its own help)."""


def _summary(module: str, name: str) -> str:
    """A command's docstring read from its source file, without importing the module or its package."""
    path = Path(__file__).resolve().parents[1].joinpath(*module.split(".")[1:]).with_suffix(".py")
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_docstring(node) or ""
    return ""


class _Commands(TyperGroup):
    """The command group: commands listed from their docstrings, loaded when resolved, run in :func:`user_errors`."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (module, function) in LAZY_COMMANDS.items():
            self.commands.setdefault(name, TyperCommand(name=name, help=_summary(module, function)))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in LAZY_COMMANDS and not getattr(self.commands.get(name), "callback", None):
            module, function = LAZY_COMMANDS[name]
            info = CommandInfo(name=name, callback=getattr(importlib.import_module(module), function))
            self.commands[name] = get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=self.rich_markup_mode
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with user_errors():  # what the options refuse, and any user error a command lets through
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as other command-line tools print it: flags without a type, choices as [a|b]
    help="mirror: tells two people when their body language mirrors or matches.",
)


def _silence_native_logs() -> None:
    """Send what native libraries print on fd 2 to /dev/null; Python's stderr keeps working."""
    stderr = sys.stderr
    if os.environ.get("MIRROR_VERBOSE") or stderr is not sys.__stderr__ or stderr is None:
        return
    try:
        saved = os.dup(2)
        stderr.flush()
        sys.stderr = os.fdopen(saved, "w", buffering=1)
        sys.__stderr__ = sys.stderr  # type: ignore[misc]  # the interpreter's own stderr follows it too
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mirror {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version, metavar=""
        ),
    ] = False,
) -> None:
    from mirror.memory import return_freed_memory

    return_freed_memory()  # a long session's stages do not stack their peaks
    _silence_native_logs()


def main() -> None:  # pragma: no cover - console entry
    app()
