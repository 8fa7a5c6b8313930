"""The one error handler of the command line: a user's mistake is one ``error:`` line and a non-zero exit.

:func:`user_errors` wraps every command (the command group enters it around each one, and
a command that has its own word for Ctrl+C enters it again around its work).  It turns

- a :class:`~mirror.errors.MirrorError` into ``error: <message>`` and exit 2 (bad input),
- an :class:`~mirror.errors.Interrupted` into its message and exit 130,
- a value typer refused for an option's choices or range into the same one line, naming the
  option typed and its valid values (``--port must be between 0 and 65535, got 70000``),
- Ctrl+C, where the command gives the line to say, into that line and exit 130.

Kept light (no numpy, no model code at import): every command module imports it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, NoReturn

import typer

from mirror.errors import Interrupted, MirrorError

BAD_INPUT = 2
"""Exit code of a refused command line or input (as typer's own usage errors)."""
INTERRUPTED = 130
"""Exit code after Ctrl+C (128 + SIGINT, as shells report it)."""
RESUME = "interrupted: the frames analysed so far are cached; run the same command again to resume"
"""What Ctrl+C says in the commands that extract landmarks (they resume from the cache)."""


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """One ``error:`` line on stderr and exit ``code`` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors(interrupted: str | None = None) -> Iterator[None]:
    """Bad input, refused option values and Ctrl+C end the command with one line, never a traceback.

    Parameters
    ----------
    interrupted : str, optional
        The line Ctrl+C prints (exit 130).  None: Ctrl+C is left to typer, which exits 130
        without a word.
    """
    try:
        yield
    except Interrupted as err:
        fail(str(err), INTERRUPTED)
    except MirrorError as err:
        fail(str(err))
    except typer.BadParameter as err:
        message = option_message(err)
        if message is None:
            raise  # not a choice or a range: typer's usage error, as it prints it
        fail(message)
    except KeyboardInterrupt:
        if interrupted is None:
            raise
        fail(interrupted, INTERRUPTED)


def option_message(err: typer.BadParameter) -> str | None:
    """The project's line for a value typer refused by an option's choices or range, or None for other errors.

    ``--preset must be one of: live, report; got 'slow'``, ``--surrogates must be >= 0, got -1``,
    ``--port must be between 0 and 65535, got 70000``.
    """
    param: Any = err.param
    cause: Any = err.__cause__
    if param is None or not hasattr(cause, "errors"):
        return None
    problems = cause.errors()
    if not problems:
        return None
    kind, value = problems[0].get("type"), problems[0].get("input")
    option = option_name(param.opts)
    descriptor = getattr(param, "type_descriptor", None)
    valid = getattr(descriptor, "choices", None)
    if valid and kind == "value_error":
        names = [str(getattr(v, "value", v)) for v in valid]
        return f"{option} must be one of: {', '.join(names)}; got {value!r}"
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if kind in ("greater_than_equal", "less_than_equal"):
        if low is not None and high is not None:
            return f"{option} must be between {low} and {high}, got {value}"
        if low is not None:
            return f"{option} must be >= {low}, got {value}"
        return f"{option} must be <= {high}, got {value}"
    return None


def option_name(opts: list[str]) -> str:
    """The long name of an option (``--workers`` rather than ``-j``), as errors name it."""
    return max(opts, key=len) if opts else "the option"
