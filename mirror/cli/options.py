"""The options the commands share, defined once as ``Annotated`` types typer reads.

An option several commands take with the same meaning, choices and range is an alias here
(``PresetOption``, ``PoseModel``, ``WindowS`` ...): a command writes ``preset: PresetOption = "live"``.
An option whose help text says something particular to each command is a factory taking
that text (``out_option("Folder for ...")``), so its name, short name and kind stay in one place.

typer checks the choices (``Literal`` types) and the ranges (``min=``, ``max=``); the one error
handler (:mod:`mirror.cli.errors`) says what it refused in one line naming the option.  Only what
typer cannot say is checked here: the installed pose models, and the comparator settings whose
limits depend on each other (``--step-s must be in (0, --window-s = 4]``).

Kept light (no numpy, no model code at import): every command module imports it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import typer

from mirror.errors import MirrorError
from mirror.messages import plural
from mirror.vocabulary import LAYOUTS, LayoutMode

if TYPE_CHECKING:
    from mirror.compare import CompareSettings

__all__ = ["plural"]  # the commands take it from here, with the other command-line helpers

FLAG = ""
"""Metavar of an on/off option: nothing, so help shows ``--no-face`` and not ``--no-face <bool>``."""

Preset = Literal["live", "report"]
PRESETS: tuple[Preset, ...] = get_args(Preset)
"""The comparator's window presets (:data:`mirror.compare.PRESETS`)."""
Side = Literal["left", "right"]
SIDES: tuple[Side, ...] = get_args(Side)
"""Where a person is in the picture: left is A, right is B."""


def choices(values: tuple[str, ...] | list[str]) -> str:
    """``[a|b|c]``: the metavar that lists an option's choices in ``--help``."""
    return "[" + "|".join(values) + "]"


# ----------------------------------------------------------------------------- pose models


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


def pose_model(model: str) -> str:
    """``--model``: an installed pose model variant, refused at once otherwise (typer calls this on the value).

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
            f"installed: {', '.join(installed) or 'none'}; "
            f"build it with `VARIANTS=lite,full,{model} bash models/build.sh`"
        )
    return model


# ----------------------------------------------------------------------------- comparator settings

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


def with_option_names(message: str) -> str:
    """A settings error with each field name replaced by the option a user types (``window_s`` -> ``--window-s``)."""
    return re.sub(
        r"(?<![\w-])(" + "|".join(sorted(OPTION_OF_FIELD, key=len, reverse=True)) + r")(?!\w)",
        lambda m: OPTION_OF_FIELD[m.group(1)],
        message,
    )


def compare_settings(
    preset: Preset, window_s: float | None, step_s: float | None, max_lag_s: float | None
) -> CompareSettings:
    """The comparator settings of ``--preset`` with the window options applied; errors name the options.

    Raises
    ------
    MirrorError
        A window option out of its limits (they depend on each other), in the user's words.
    """
    from mirror.compare import settings_from_preset

    try:
        return settings_from_preset(preset, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s)
    except MirrorError as err:
        raise MirrorError(with_option_names(str(err))) from None


# ----------------------------------------------------------------------------- the shared options

PRESET_HELP = "Window presets: live (4 s windows, 0.5 s step, 3 s lag) or report (30 s, 10 s, 5 s)."
SURROGATES_HELP = "Surrogate sessions for the pseudo-synchrony test (0: none)."
HISTORY_HELP = (
    "Session history file (default $MIRROR_HISTORY, else the user data folder, "
    "e.g. ~/.local/share/mirror/history.sqlite)."
)
ME_HELP = "Your name, recorded in the history (`mirror progress --me NAME`)."
PARTNER_HELP = "Your partner's name, recorded in the history."
ME_SIDE_HELP = "Which person is you: left (A, the default) or right (B)."
NO_HISTORY_HELP = "Do not record this session in the history."


def out_option(help: str) -> Any:
    """``--out`` / ``-o``: the folder (or file) a command writes."""
    return typer.Option("--out", "-o", help=help)


def surrogates_option(help: str = SURROGATES_HELP) -> Any:
    """``--surrogates``: how many pseudo-sessions the synchrony is tested against (0 or more)."""
    return typer.Option("--surrogates", min=0, help=help)


def layout_option(help: str) -> Any:
    """``--layout``: where the two people are in the picture (:data:`mirror.vocabulary.LAYOUTS`)."""
    return typer.Option("--layout", metavar=choices(LAYOUTS), help=help)


def mirrored_input_option(help: str) -> Any:
    """``--mirrored-input``: the source is a selfie (mirror) image, flipped back before the analysis."""
    return typer.Option("--mirrored-input", metavar=FLAG, help=help)


def cache_dir_option(help: str) -> Any:
    """``--cache-dir``: the landmark cache folder."""
    return typer.Option("--cache-dir", help=help)


def progress_option(help: str) -> Any:
    """``--progress/--no-progress``: show progress bars on stderr."""
    return typer.Option("--progress/--no-progress", metavar=FLAG, help=help)


def me_option(help: str = ME_HELP) -> Any:
    """``--me``: the user's name, recorded in the history (``mirror live`` also takes a side)."""
    return typer.Option("--me", help=help)


def me_side_option(help: str = ME_SIDE_HELP) -> Any:
    """``--me-side``: which person is the user.

    A plain string, checked with ``--me`` (:func:`mirror.cli.history.people_from_options`):
    ``--me left`` says the same, and two sides that disagree are refused together.
    """
    return typer.Option("--me-side", metavar=choices(SIDES), help=help)


def history_option(help: str = HISTORY_HELP) -> Any:
    """``--history``: the session history file."""
    return typer.Option("--history", help=help)


def no_history_option(help: str = NO_HISTORY_HELP) -> Any:
    """``--no-history``: record nothing in the history."""
    return typer.Option("--no-history", metavar=FLAG, help=help)


# ----------------------------------------------------------------------------- aliases of the same option

PresetOption = Annotated[Preset, typer.Option("--preset", metavar=choices(PRESETS), help=PRESET_HELP)]
WindowS = Annotated[float | None, typer.Option("--window-s", help="Window length in seconds (overrides the preset).")]
StepS = Annotated[float | None, typer.Option("--step-s", help="Window step in seconds (overrides the preset).")]
MaxLagS = Annotated[
    float | None, typer.Option("--max-lag-s", help="Largest lag searched, in seconds (overrides the preset).")
]
AnalysisFps = Annotated[float | None, typer.Option("--fps", help="Analysis rate for the landmarks.")]
LayoutOption = Annotated[LayoutMode, layout_option("Where the two people are (see `mirror extract`).")]
Regions = Annotated[str | None, typer.Option("--regions", help="With --layout regions: 'x0,y0,x1,y1;x0,y0,x1,y1'.")]
PoseModel = Annotated[
    str, typer.Option("--model", metavar=model_metavar(), parser=pose_model, help="Pose model (the installed ones).")
]
Partner = Annotated[str | None, typer.Option("--partner", help=PARTNER_HELP)]


def check_out_folder(out: Path) -> None:
    """``--out`` as a folder: refused when it exists and is a file, before any work.

    Raises
    ------
    MirrorError
        ``out`` is a file.
    """
    if out.exists() and not out.is_dir():
        raise MirrorError(f"--out {out} exists and is not a folder")
