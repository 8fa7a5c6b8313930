"""Every sentence mirror says to people, in one place, so it can be changed or translated.

The catalogues:

``REASONS``
    Third person, for reports: why a direction of copying looks mechanical.
``MESSAGES``
    Second person, for coaching on screen and in reports, addressed to one person.
``BANNERS``
    The live overlay's warning banner and status words.
``CONFIDENCE``, ``CALIBRATION``
    How sure a label is (from its p-value against people who were not interacting), and
    the sentences that say what a label means or why nothing could be measured.
``USABILITY``
    Why a person's body part could (not) be used, for reports and ``analyze``.
``SYNCHRONY``
    Session synchrony against its chance reference (pseudo-sessions), in plain words.

Each entry is a ``str.format`` template.  :func:`load_catalog` reads a JSON file
with the same keys (any subset) to replace them, e.g. with a translation::

    {"MESSAGES": {"praise_match": "Bien : vous avez repris son {gesture} environ {when}."}}
"""

from __future__ import annotations

import json
import numbers
import re
import string
from pathlib import Path

from mirror.errors import MirrorError

REASONS = {
    "coverage": "{copier} copied {copies} of {model}'s {gestures:gesture} ({share:.0%})",
    "immediacy": (
        "{copier}'s copies came a median {lag:.2f} s after {model}'s "
        "gestures (natural mimicry: about 0.6 s to several seconds)"
    ),
    "regularity": "{copier}'s copy delay hardly varied (spread {sd:.2f} s)",
    "fidelity": "{copier}'s copies were near-exact in shape and size (median fidelity {fidelity:.2f})",
    "persistence": "{copier} moved in lockstep with {model} at one fixed delay for {seconds:.0f} s of {span:.0f} s",
    "indiscriminateness": "{copier} also copied {copied} of {model}'s {small:small, incidental movement}",
}

MESSAGES = {
    # warnings: mechanical imitation, addressed to the copier
    "mechanical_copying": (
        "You copied {copied} of your partner's last {total:gesture} within "
        "{lag:.1f} s: let some pass, and wait a beat before mirroring."
    ),
    "mechanical_fast": "You echo your partner's moves after only {lag:.1f} s: wait a beat or two before mirroring.",
    "mechanical_regular": (
        "You follow your partner at a fixed {lag:.1f} s delay, every time: vary your timing and let some gestures pass."
    ),
    "mechanical_many": (
        "You copied {copied} of your partner's {total:gesture} in the last minute: let more of them pass."
    ),
    "mechanical_exact": (
        "Your copies are near-exact: a smaller, softer version of your partner's gesture reads as more natural."
    ),
    "mechanical_lockstep": (
        "You have moved in lockstep with your partner for {seconds:.0f} s: break the pattern now and then."
    ),
    "mechanical_indiscriminate": (
        "You copied {copied} of your partner's {total:small, incidental movement} too: mirror the meaningful ones only."
    ),
    # praise: a natural copy, addressed to the copier
    "praise_mirror": "Good: you mirrored their {gesture} {when}.",
    "praise_match": "Good: you matched their {gesture} {when}.",
    # prompts: the partner holds a posture the other does not reflect
    "prompt_posture": "Your partner has been {posture} for {seconds:.0f} s.",
}

BANNERS = {
    # the overlay's banner and status words
    "mechanical_pair": "Mechanical imitation: {who}",
    "mechanical_pair_who": "{copier} copies {model}",
    "mechanical_you": "Mechanical imitation: you copy your partner too closely",
    "mechanical_partner": "Mechanical imitation: your partner copies you too closely",
    "camera_lost": "camera lost",
    "video_lost": "video lost",
    "paused": "paused",
}

CONFIDENCE = {
    # how sure a window, event or state is: its p-value against the null, relative to alpha
    # (mirror.report.doc.confidence picks the key)
    "very_sure": "very sure",
    "sure": "sure",
    "continues": "continues a sure run",
    "chance": "not beyond chance",
    "unmeasured": "not measured",
}

CALIBRATION = {
    "meaning": "A label is shown only where it beats chance: p < {alpha:g} against {description}.",
    "meaning_run": (
        "A label is shown only where it beats chance: p < {alpha:g} against {description}, or p < {alpha_run:g} "
        "where it continues its neighbour's relation at the same delay."
    ),
    "meaning_short": "labels only where p < {alpha:g} against {null}",
    "meaning_short_run": "labels only where p < {alpha:g} against {null} (or < {alpha_run:g} continuing a run)",
    "null_reference": "people who were not interacting",
    "null_session": "this session's own surrogates",
    "uncalibrated": "These labels were not tested against chance (the report predates calibrated labels).",
    "nothing": "Nothing could be measured: {reason}.",
    "reason_short": "the recording ({duration:.1f} s) is shorter than one {window:g} s window",
    "reason_apart": (
        "both people were in view together in only {both:.0f} % of the "
        "frames, less than the {need:.0f} % of a window the comparison needs"
    ),
    "reason_insufficient": "no window had both people in view for {need:.0f} % of its length",
    "reason_no_data": "the report has no windows",
    "fix_short": (
        "To measure something, record at least {window:g} s with both people "
        "in view, or analyse again with a shorter --window-s (down to 2 s)."
    ),
    "fix_too_short": "To measure something, record at least 2 s with both people in view.",
    "fix_apart": (
        "To measure something, keep both people in the picture together; if each stays on one side, try --layout split."
    ),
    "reason_unusable": "no window had both people's body parts usable for {need:.0f} % of its length (mostly: {why})",
    "fix_side_unknown": (
        "To measure something, film both people more from the front "
        "than in profile, so that each one's left and right can be told."
    ),
    "fix_occluded": (
        "To measure something, film both people more from the front, so that neither hides an arm behind the body."
    ),
    "fix_low_visibility": "To measure something, film with more light or from closer.",
    "fix_no_face": "To measure something, film the faces from the front and from closer.",
    "fix_out_of_frame": "To measure something, keep both people's heads, shoulders and arms in the picture.",
    "fix_not_seen": (
        "To measure something, keep both people in the picture together; if each stays on one side, try --layout split."
    ),
    "not_measured_part": "not measured: {why}",
    "smoothed": (
        "a person is small in the picture, so the landmarks jitter more: "
        "movements smoothed over {smooth:g} s instead of {usual:g} s"
    ),
}

SYNCHRONY = {
    # synchrony against its chance reference: pseudo-sessions with B's timing broken
    "above": (
        "The two moved together more than chance: the session scored higher than "
        "{percentile:.0f} % of {n} pseudo-sessions in which B's timing was shuffled."
    ),
    "chance": (
        "The two did not move together clearly more than chance: the session scored higher than "
        "{percentile:.0f} % of {n} pseudo-sessions in which B's timing was shuffled (clearly more needs 95 %)."
    ),
    "below": (
        "The two moved together less than chance would give: the session scored higher than "
        "only {percentile:.0f} % of {n} pseudo-sessions in which B's timing was shuffled."
    ),
    "missing": "No synchrony figure: there is nothing to compare it with ({why}).",
    "not_run": "no chance test was run",
}

USABILITY = {
    # why a person's body part was (not) usable; "line" is one person and part
    "line": "{person}'s {part} usable in {percent:.0f} % of frames: {reason}",
    "ok": "fine",
    "not_seen": "not seen",
    "low_visibility": "low visibility",
    "out_of_frame": "out of frame",
    "occluded": "occluded",
    "side_unknown": "its side cannot be told from this view",
    "no_face": "no face found",
}

WHEN = {
    "second": "about a second later",
    "seconds": "about {lag:.0f} s later",
}

GESTURES = {
    # feature + direction of change ("+" up, "-" down, none: either) -> words;
    # "{side}" is the model's anatomical side
    "forward_lean+": "forward lean",
    "forward_lean-": "lean back",
    "torso_lean": "sideways lean",
    "torso_twist": "turn of the shoulders",
    "head_roll": "head tilt",
    "head_yaw": "head turn",
    "head_pitch+": "chin lift",
    "head_pitch-": "nod",
    "wrist_height+": "raised {side} hand",
    "wrist_height-": "lowered {side} hand",
    "elbow_height+": "raised {side} elbow",
    "elbow_height-": "lowered {side} elbow",
    "reach+": "open {side}-arm gesture",
    "reach-": "{side} arm drawn in",
    "forward_reach+": "{side}-hand reach forward",
    "forward_reach-": "{side} hand drawn back",
    "elbow_flexion": "{side}-arm bend",
    "arm_elevation": "{side}-arm lift",
    "hand_face-": "{side} hand to the face",
    "hand_face+": "{side} hand away from the face",
    "face_browDown": "frown",
    "face_browOuterUp": "raised eyebrows",
    "face_eyeBlink": "blink",
    "face_eyeSquint": "squint",
    "face_mouthSmile": "smile",
    "face_mouthPress": "pressed lips",
    "face_jawOpen": "open mouth",
    "shoulder_raise": "shoulder shrug",
    "hand_at_face+": "{side} hand to the face",
    "hand_at_face-": "{side} hand away from the face",
    "motion_symmetry": "both arms moving alike",
}

POSTURES = {
    "forward_lean+": "leaning forward",
    "forward_lean-": "leaning back",
    "torso_lean+": "leaning to their left",
    "torso_lean-": "leaning to their right",
    "head_roll+": "tilting their head to their left",
    "head_roll-": "tilting their head to their right",
    "arms_crossed+": "crossing their arms",
    "hand_face_left-": "resting their face on their left hand",
    "hand_face_right-": "resting their face on their right hand",
}

SIDES = {"left": "left", "right": "right"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 window``, ``2 windows``, ``1 copy``, ``3 copies``: a count with its noun agreeing."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{n} {many}"


class _Counting(string.Formatter):
    """``{n:gesture}`` is "1 gesture" or "3 gestures": a whole number with a noun as its format."""

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, numbers.Real) and float(value).is_integer() and re.search(r"[A-Za-z]{2}", format_spec):
            whole = int(value) if isinstance(value, numbers.Integral) else int(float(value))
            return plural(whole, format_spec)
        return super().format_field(value, format_spec)


_COUNTING = _Counting()


def render(catalog: dict, key: str, **fields) -> str:
    """Fill one template; a missing key or field is a :class:`MirrorError` naming the valid keys.

    A whole number formatted with a noun (``{copies:gesture}``) reads "1 gesture", "2 gestures".
    """
    try:
        template = catalog[key]
    except KeyError:
        raise MirrorError(f"no message {key!r}; valid: {', '.join(sorted(catalog))}") from None
    try:
        return _COUNTING.format(template, **fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise MirrorError(f"message {key!r} cannot be filled: {exc}") from None


def load_catalog(path: str | Path) -> None:
    """Replace templates from a JSON file ``{"MESSAGES": {...}, "REASONS": {...}, ...}`` (any subset)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MirrorError(f"cannot read messages from {path}: {exc}") from None
    tables = {
        "MESSAGES": MESSAGES, "REASONS": REASONS, "BANNERS": BANNERS, "CONFIDENCE": CONFIDENCE,
        "CALIBRATION": CALIBRATION, "USABILITY": USABILITY, "SYNCHRONY": SYNCHRONY, "WHEN": WHEN,
        "SIDES": SIDES, "GESTURES": GESTURES, "POSTURES": POSTURES,
    }  # fmt: skip
    for name, entries in data.items():
        if name not in tables or not isinstance(entries, dict):
            raise MirrorError(f"{path}: unknown section {name!r}; valid: {', '.join(tables)}")
        unknown = set(entries) - set(tables[name])
        if unknown:
            raise MirrorError(
                f"{path}: unknown {name} keys {sorted(unknown)}; valid: {', '.join(sorted(tables[name]))}"
            )
        tables[name].update({k: str(v) for k, v in entries.items()})
