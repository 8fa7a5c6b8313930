"""What the overlay shows at one instant: :class:`OverlayState`, built from a :class:`ReportView`.

A recorded session's report, or the live rolling analysis's typed results, is
first read once into a :class:`~mirror.overlay.view.ReportView` of arrays, so
that building the state for each frame of a long recording stays cheap.

Two ways of picking "the current window" at time ``t_s``:

``centre`` (recorded sessions)
    Of the windows that contain ``t_s``, the one whose centre is nearest:
    what the viewer sees is what the window measured.
``latest`` (live)
    The newest window that has ended by ``t_s``: the only one known yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirror import messages
from mirror.landmarks.types import Landmarks, PersonLandmarks
from mirror.overlay.view import ReportView
from mirror.report.doc import label_confidence, strength
from mirror.vocabulary import BODY_PARTS, RELATIONS

TIMELINE_S = 60.0
RAPPORT_S = 10.0
MESSAGE_HOLD_S = 8.0
WARNING_HOLD_S = 8.0


@dataclass(frozen=True)
class PersonView:
    """One person as drawn.

    Attributes
    ----------
    label : str
        ``You``, ``Partner``, ``A`` or ``B``.
    points : np.ndarray or None
        ``(33, 2)`` x, y normalised to the frame drawn on (anatomical, never flipped);
        None when the person is not found.
    visible : np.ndarray or None
        ``(33,)`` bool.
    """

    label: str
    points: np.ndarray | None = None
    visible: np.ndarray | None = None

    @classmethod
    def from_person(cls, label: str, person: PersonLandmarks | None, min_visibility: float = 0.5) -> PersonView:
        if person is None:
            return cls(label)
        pts = np.asarray(person.pose_image[:, :2], dtype=np.float32)
        vis = (np.asarray(person.pose_visibility) >= min_visibility) & np.isfinite(pts).all(1)
        return cls(label, pts, vis)


def person_labels(me: str | None) -> tuple[str, str]:
    """Labels of A and B: ``You``/``Partner`` when the trainee (``A`` or ``B``) is known, else ``A``/``B``."""
    if me is None:
        return ("A", "B")
    if me not in ("A", "B"):
        raise ValueError(f"me must be 'A', 'B' or None, got {me!r}")
    return ("You", "Partner") if me == "A" else ("Partner", "You")


@dataclass
class OverlayState:
    """Everything :func:`mirror.overlay.draw_overlay` draws at one instant.

    Attributes
    ----------
    t_s : float
        Session time shown.
    people : tuple of PersonView
        A then B.
    channels : dict
        Body part -> state (one of :data:`~mirror.vocabulary.LABELS`, or ``""`` when unknown yet).
    channel_confidence : dict
        Body part -> how sure its state is, in words, or ``""`` (no relation, or no p-value).
    overall : str
        The whole body's state (or ``""``).
    lag_s : float
        Lag of the current relation (positive: B follows A); NaN without one.
    leader : str
        ``A``, ``B``, ``together`` or ``""``.
    p_value : float
        p-value of the current window's best candidate relation against the null; NaN without one.
    confidence : str
        How sure the current state is, in words (:data:`mirror.messages.CONFIDENCE`), or ``""``.
    strength : float
        In [0, 1]: how strongly to draw the current state (:func:`mirror.report.doc.strength`;
        1 for a labelled window without a p-value).
    rapport : float
        In [0, 1]: the mean best relation score of the windows of the last
        ``RAPPORT_S`` seconds (negative scores count as 0); NaN without data.
    timeline_t_s : np.ndarray
        ``(W,)`` centres of the windows of the last ``timeline_span_s`` seconds.
    timeline_labels : np.ndarray
        ``(W, 6)`` str: overall, then each body part of :data:`~mirror.vocabulary.BODY_PARTS`.
    timeline_span_s : float
    warning : str or None
        Mechanical-imitation banner text.
    message : str or None
        The current coaching message.
    message_kind : str or None
        ``warning``, ``praise`` or ``prompt``.
    selfie : bool
        Flip the displayed picture (a selfie view); the analysis is never flipped.
    status : str or None
        A notice such as ``camera lost`` or ``paused``.
    recording : bool
        Show the recording mark.
    """

    t_s: float = 0.0
    people: tuple[PersonView, PersonView] = (PersonView("A"), PersonView("B"))
    channels: dict = field(default_factory=lambda: {c: "" for c in BODY_PARTS})
    channel_confidence: dict = field(default_factory=lambda: {c: "" for c in BODY_PARTS})
    overall: str = ""
    lag_s: float = float("nan")
    leader: str = ""
    p_value: float = float("nan")
    confidence: str = ""
    strength: float = 1.0
    rapport: float = float("nan")
    timeline_t_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    timeline_labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 1 + len(BODY_PARTS)), dtype=object))
    timeline_span_s: float = TIMELINE_S
    warning: str | None = None
    message: str | None = None
    message_kind: str | None = None
    selfie: bool = False
    status: str | None = None
    recording: bool = False

    # ------------------------------------------------------------- builders
    @classmethod
    def from_view(
        cls,
        view: ReportView,
        people: tuple,
        t_s: float,
        *,
        me: str | None = None,
        rule: str = "centre",
        selfie: bool = False,
        status: str | None = None,
        recording: bool = False,
    ) -> OverlayState:
        """The state at ``t_s`` from a report view and the people of the frame shown.

        Parameters
        ----------
        people : tuple
            A and B, each a :class:`~mirror.landmarks.PersonLandmarks`, a :class:`PersonView` or None.
        me : {"A", "B", None}
            The trainee: labels become ``You`` and ``Partner``, and only messages to ``me`` show.
        rule : {"centre", "latest"}
            Which window is current (see the module notes).
        """
        labels = person_labels(me)
        views = []
        for label, p in zip(labels, people, strict=False):
            if isinstance(p, PersonView):
                views.append(PersonView(label, p.points, p.visible))
            else:
                views.append(PersonView.from_person(label, p))
        state = cls(t_s=float(t_s), people=(views[0], views[1]), selfie=selfie, status=status, recording=recording)
        i = view.current(t_s, rule)
        if i is not None:
            state.overall = str(view.label[i])
            state.channels = {c: str(view.channel_label[i, k]) for k, c in enumerate(BODY_PARTS)}
            if len(view.channel_p) == len(view):
                for k, c in enumerate(BODY_PARTS):
                    p, lab = float(view.channel_p[i, k]), state.channels[c]
                    key = label_confidence(lab, p, view.alpha) if lab in RELATIONS and np.isfinite(p) else None
                    state.channel_confidence[c] = messages.CONFIDENCE[key] if key else ""
            state.lag_s = float(view.lag_s[i]) if view.label[i] in RELATIONS else float("nan")
            state.leader = str(view.leader[i])
            if len(view.p_value):
                state.p_value = float(view.p_value[i])
                state.strength = strength(state.p_value, view.alpha)
                continues = bool(view.continues[i]) if len(view.continues) == len(view) else False
                key = label_confidence(state.overall, state.p_value, view.alpha, continues)
                if key is not None and np.isfinite(state.p_value):
                    state.confidence = messages.CONFIDENCE[key]
        if len(view):
            centre = (view.start_s + view.end_s) / 2
            now = view.end_s if rule == "latest" else centre
            recent = (now <= t_s + 1e-9) & (now > t_s - RAPPORT_S) & np.isfinite(view.best)
            if recent.any():
                state.rapport = float(np.mean(np.clip(view.best[recent], 0.0, 1.0)))
            shown = (now <= t_s + 1e-9) & (now > t_s - TIMELINE_S)
            state.timeline_t_s = centre[shown]
            state.timeline_labels = np.concatenate([view.label[shown, None], view.channel_label[shown]], axis=1)
        state.warning = _warning(view, t_s, me)
        state.message, state.message_kind = _message(view, t_s, me)
        return state

    @classmethod
    def from_report(
        cls,
        report: dict | ReportView,
        landmarks: Landmarks,
        t_s: float,
        *,
        me: str | None = None,
        selfie: bool = False,
        max_offset_s: float = 0.25,
    ) -> OverlayState:
        """The state of a recorded session at ``t_s`` (window rule ``centre``).

        Parameters
        ----------
        report : dict or ReportView
            ``report.json`` as a dict; pass a :class:`ReportView` to read it only once.
        landmarks : Landmarks
            The session's landmarks; the frame nearest ``t_s`` (within ``max_offset_s``) is drawn.
        """
        view = report if isinstance(report, ReportView) else ReportView.from_dict(report)
        people: tuple = (None, None)
        if len(landmarks):
            j = int(np.argmin(np.abs(landmarks.t_s - t_s)))
            if abs(float(landmarks.t_s[j]) - t_s) <= max_offset_s:
                people = (landmarks.person(j, 0), landmarks.person(j, 1))
        return cls.from_view(view, people, t_s, me=me, rule="centre", selfie=selfie)

    @classmethod
    def from_live(
        cls,
        view: ReportView,
        people: tuple,
        t_s: float,
        *,
        me: str | None = None,
        selfie: bool = False,
        status: str | None = None,
        recording: bool = False,
    ) -> OverlayState:
        """The state during a live session: the latest rolling analysis (window rule ``latest``)."""
        return cls.from_view(view, people, t_s, me=me, rule="latest", selfie=selfie, status=status, recording=recording)


def _warning(view: ReportView, t_s: float, me: str | None) -> str | None:
    """Banner text while ``t_s`` is in a flagged stretch (or up to ``WARNING_HOLD_S`` after it)."""
    copiers = sorted({c for c, a, b in view.flagged if a <= t_s <= b + WARNING_HOLD_S})
    if not copiers:
        return None
    from mirror.messages import BANNERS, render

    if me is None:
        who = " and ".join(
            render(BANNERS, "mechanical_pair_who", copier=c, model="B" if c == "A" else "A") for c in copiers
        )
        return render(BANNERS, "mechanical_pair", who=who)
    return render(BANNERS, "mechanical_you" if me in copiers else "mechanical_partner")


def _message(view: ReportView, t_s: float, me: str | None) -> tuple[str | None, str | None]:
    from mirror.coach import latest_message

    if not view.messages:
        return None, None
    if me is not None:
        m = latest_message(view.messages, t_s, to=me, hold_s=MESSAGE_HOLD_S)
        return (m.text, m.kind) if m is not None else (None, None)
    found = [
        m for m in (latest_message(view.messages, t_s, to=p, hold_s=MESSAGE_HOLD_S) for p in "AB") if m is not None
    ]
    if not found:
        return None, None
    from mirror.coach import KINDS

    m = max(found, key=lambda m: (-KINDS.index(m.kind), m.t_s))
    return f"To {m.to}: {m.text}", m.kind
