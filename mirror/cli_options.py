"""What the command lines share: one-line errors, the progress bar, option names in errors,
installed models, flag metavars, plurals.

Kept light (no numpy, no model code at import): every command module imports it.
"""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

import typer

from mirror.errors import Interrupted, MirrorError
from mirror.messages import plural  # noqa: F401  (the commands take it from here, with the other CLI helpers)

FLAG = ""
"""Metavar of an on/off option: nothing, so help shows ``--no-face`` and not ``--no-face <bool>``."""

LAYOUTS = ("auto", "split", "regions")
PRESETS = ("live", "report")
SIDES = ("left", "right")

OPTION_OF_FIELD = {
    "window_s": "--window-s",
    "step_s": "--step-s",
    "max_lag_s": "--max-lag-s",
    "fps": "--fps",
    "pose_model": "--model",
    "n_surrogates": "--surrogates",
    "surrogates": "--surrogates",
}
"""Setting field names -> the command-line option that sets them."""


def choices(values) -> str:
    """``[a|b|c]``: the metavar that lists an option's choices in ``--help``."""
    return "[" + "|".join(values) + "]"


def with_option_names(message: str) -> str:
    """A settings error with each field name replaced by the option a user types (``window_s`` -> ``--window-s``)."""
    return re.sub(
        r"(?<![\w-])(" + "|".join(sorted(OPTION_OF_FIELD, key=len, reverse=True)) + r")(?!\w)",
        lambda m: OPTION_OF_FIELD[m.group(1)],
        message,
    )


def compare_settings(preset: str, window_s: float | None, step_s: float | None, max_lag_s: float | None):
    """The comparator settings of ``--preset`` with the window options applied; errors name the options.

    Raises
    ------
    MirrorError
        An unknown preset or an invalid value, in the user's words.
    """
    from mirror.compare import settings_from_preset

    if preset not in PRESETS:
        raise MirrorError(f"--preset must be one of: {', '.join(PRESETS)}; got {preset!r}")
    try:
        return settings_from_preset(preset, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s)
    except MirrorError as err:
        raise MirrorError(with_option_names(str(err))) from None


def installed_pose_models() -> tuple[str, ...]:
    """The pose model variants whose file is present (lite, full; heavy only when built)."""
    from mirror.model_files import POSE_MODELS, models_dir

    folder = models_dir()
    return tuple(v for v, name in POSE_MODELS.items() if (folder / name).is_file())


def model_metavar() -> str:
    """``[lite|full]``: the installed pose models, for ``--help`` (never one that is not installed)."""
    try:
        return choices(installed_pose_models() or ("lite", "full"))
    except Exception:  # a broken installation still shows help
        return choices(("lite", "full"))


def check_pose_model(model: str) -> None:
    """Refuse an unknown or uninstalled ``--model`` at once, before any work starts.

    Raises
    ------
    MirrorError
        The variant is unknown, or its model file is not installed (with how to build it).
    """
    from mirror.model_files import POSE_MODELS, models_dir

    installed = installed_pose_models()
    if model not in POSE_MODELS:
        raise MirrorError(f"--model must be one of: {', '.join(installed)}; got {model!r}")
    if model not in installed:
        raise MirrorError(
            f"--model {model} is not installed (no {POSE_MODELS[model]} in {models_dir()}); "
            f"installed: {', '.join(installed) or 'none'}; build it with `VARIANTS=lite,full,{model} bash models/build.sh`"
        )


def check_video_file(source: str | Path, what: str = "") -> None:
    """A missing path, or a folder, is refused before any progress bar starts."""
    path = Path(source)
    if not path.exists():
        raise MirrorError(f"no such file: {f'{what} ' if what else ''}{path}")
    if path.is_dir():
        raise MirrorError(f"{f'{what} ' if what else ''}{path} is a folder, not a video file")


def fail(message: str, code: int = 2) -> None:
    """One ``error:`` line on stderr and exit ``code`` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors():
    """Bad input and Ctrl+C end the command with one line and a non-zero exit, never a traceback."""
    try:
        yield
    except Interrupted as err:
        fail(str(err), 130)
    except MirrorError as err:
        fail(str(err))
    except KeyboardInterrupt:
        fail("interrupted: the frames analysed so far are cached; run the same command again to resume", 130)


class Progress:
    """A tqdm bar on stderr, opened when the total is known (or at the first frame)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def total(self, done: int, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total if total > 0 else None,
            initial=done,
            unit="frame",
            disable=not self.enabled,
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def frames(self, n: int) -> None:
        if self.bar is None:
            self.total(0, -1)
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
