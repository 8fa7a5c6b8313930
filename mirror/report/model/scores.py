"""The comparator's part of ``report.json``: windows, events, per-part events, summary and coaching messages."""

from __future__ import annotations

from pydantic import Field

from mirror.report.model.base import BodyPart, Leader, MessageKind, Person, Relation, ReportModel, WindowLabel


class PartScores(ReportModel):
    """One body part in one window.

    ``p_value`` is against the null of the same part, within its movement tercile. ``left_arm`` and
    ``right_arm`` are A's arms: each is compared with B's same arm (match) and B's other arm (mirror)
    at the window's lag. Head, torso and face are scored like the whole body, at their own best lag.
    An arm that hardly moves is ``none``.
    """

    label: WindowLabel
    """The part's label (a relation only where it beat chance)."""
    mirror_score: float | None = None
    """Best mirror score in [-1, 1]; null where the part was not compared."""
    match_score: float | None = None
    """Best match score in [-1, 1]; null where the part was not compared."""
    p_value: float | None = None
    """p-value of the part's best candidate relation; null where the part was not compared."""
    valid: float | None = None
    """Share of the window in which both people's part is usable (for an arm: A's arm and both of B's)."""


class Asymmetry(ReportModel):
    """RMS of each person's antisymmetric posture over the window (shoulder widths and radians)."""

    A: float | None = None
    """Person A's."""
    B: float | None = None
    """Person B's."""


class Window(ReportModel):
    """One sliding window (``window_s`` long, every ``step_s``)."""

    start_s: float
    """Window start (seconds of the source stream)."""
    end_s: float
    """Window end."""
    label: WindowLabel
    """``mirror`` (opposite anatomical sides), ``match`` (same side), ``symmetric`` (both postures left-right
    symmetric, both bodies' left-plus-right halves moving, and in sync: the side cannot be told), ``none``, or
    ``insufficient`` (either person has data for less than ``min_valid`` of the window; no scores then)."""
    mirror_score: float | None = None
    """Best mirror score over all lags, in [-1, 1]."""
    match_score: float | None = None
    """Best match score over all lags, in [-1, 1]."""
    sync_score: float | None = None
    """Best correlation of the symmetric posture parts (left plus right, unsigned features, drifts removed)."""
    p_value: float | None = None
    """p-value of the window's best candidate relation against the null (``calibration``):
    ``(1 + null windows scoring at least as high) / (1 + null windows)`` among null windows of the same kind, view
    and amount of movement. A label other than ``none`` needs ``p_value < alpha``, or ``continues``. Null for
    ``insufficient`` windows and where no relation could be a candidate."""
    continues: bool = False
    """The label continues a neighbouring window's run: the same relation at the same delay (within
    ``settings.run_lag_s``), with this window's own ``p_value`` below ``settings.alpha_run`` but not below
    ``alpha`` (a copy that keeps its delay through a stretch where it is harder to see)."""
    lag_s: float | None = None
    """Lag of the winning relation, centred on the window. Positive: B does what A did ``lag_s`` earlier."""
    leader: Leader | None = None
    """Who leads: ``A`` (B follows), ``B``, ``together`` (|lag| below ``together_s``); null when no relation."""
    asymmetry: Asymmetry = Field(default_factory=Asymmetry)
    """Each person's antisymmetric posture."""
    valid: float | None = None
    """Share of the window where both people have data."""
    channels: dict[str, PartScores] = Field(default_factory=dict)
    """Each body part's scores (``head``, ``left_arm``, ``right_arm``, ``torso``, ``face``; keyed by name, so a
    reader keeps a body part it does not know)."""


class Event(ReportModel):
    """A run of at least two consecutive windows with the same ``mirror``, ``match`` or ``symmetric`` label."""

    start_s: float
    """The first window's start."""
    end_s: float
    """The last window's end."""
    kind: Relation
    """The relation."""
    channels: list[BodyPart] = Field(default_factory=list)
    """The body parts with the same label in at least half of the event's windows."""
    leader: Leader | None = None
    """The most frequent leader of its windows (empty when its windows had no lag)."""
    lag_s: float | None = None
    """Median lag of its windows."""
    strength: float | None = None
    """Mean score of that relation."""
    p_value: float | None = None
    """The largest p-value of its windows that beat chance on their own (each did so at least this surely); windows
    that continue the run (``continues``) are left out."""
    windows: int
    """How many windows."""


class PartEvent(ReportModel):
    """The events of one body part, by the whole body's rule, from the windows' per-part labels."""

    body_part: BodyPart
    """The body part."""
    kind: Relation
    """The relation (each window of the run beat chance)."""
    start_s: float
    """The first window's start."""
    end_s: float
    """The last window's end."""
    strength: float | None = None
    """Mean score of that relation."""
    p_value: float | None = None
    """The largest p-value of the run's windows."""
    windows: int
    """How many windows."""


class Shares(ReportModel):
    """Share of the analysable windows with each label (only windows that beat chance count as a relation)."""

    mirror: float = 0.0
    """Share labelled mirror."""
    match: float = 0.0
    """Share labelled match."""
    symmetric: float = 0.0
    """Share labelled symmetric."""
    none: float = 0.0
    """Share labelled none."""


class PartShares(ReportModel):
    """One body part's share of its analysable windows with each label."""

    mirror: float = 0.0
    """Share labelled mirror."""
    match: float = 0.0
    """Share labelled match."""
    none: float = 0.0
    """Share labelled none."""


class LeaderShares(ReportModel):
    """Among mirror and match windows: the share led by each person, and together."""

    A: float = 0.0
    """Share led by A (B follows)."""
    B: float = 0.0
    """Share led by B."""
    together: float = 0.0
    """Share with |lag| below ``together_s``."""


class SurrogateTest(ReportModel):
    """Session synchrony against pseudo-sessions (B circularly shifted by at least one window plus the largest lag,
    or cut into window-long segments and shuffled; half each). Only ``real``, ``n_surrogates`` and ``method`` when no
    test was run."""

    real: float | None = None
    """Mean best relation score over the analysable windows."""
    surrogate_mean: float | None = None
    """The same, averaged over the pseudo-sessions."""
    surrogate_sd: float | None = None
    """Its standard deviation over the pseudo-sessions."""
    effect_size: float | None = None
    """``(real - surrogate_mean) / surrogate_sd``."""
    p_value: float | None = None
    """``(1 + pseudo-sessions scoring at least real) / (1 + n_surrogates)``."""
    n_surrogates: int = 0
    """How many pseudo-sessions were scored (0: no test)."""
    method: str = "none"
    """How the pseudo-sessions were made, or why there were none."""


class Summary(ReportModel):
    """The session in figures."""

    windows: int = 0
    """All windows."""
    analysable_windows: int = 0
    """Windows not ``insufficient``."""
    insufficient_windows: int = 0
    """Windows ``insufficient``."""
    share: Shares = Field(default_factory=Shares)
    """The whole body's shares."""
    share_by_channel: dict[str, PartShares] = Field(default_factory=dict)
    """Each body part's shares (keyed by name, as ``Window.channels``)."""
    leader_share: LeaderShares = Field(default_factory=LeaderShares)
    """Who led."""
    synchrony: SurrogateTest = Field(default_factory=SurrogateTest)
    """Synchrony and its surrogate test."""


class Message(ReportModel):
    """A coaching message, addressed to one person in the second person."""

    t_s: float
    """When it is shown (from then on)."""
    to: Person
    """Who it is for."""
    kind: MessageKind
    """Warning, praise or prompt."""
    key: str
    """The template in ``mirror/messages.py``."""
    text: str
    """The message."""
    channel: BodyPart | None = None
    """The body part it is about, if one."""
    start_s: float | None = None
    """Start of the stretch the message is about."""
    end_s: float | None = None
    """End of that stretch."""
