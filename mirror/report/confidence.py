"""How sure a label is: p-values in words, as numbers people read, and as drawing strength."""

from __future__ import annotations

import math

from mirror import messages
from mirror.vocabulary import RELATIONS

DEFAULT_ALPHA = 0.01
"""The comparator's default ``alpha``, for reports that do not name theirs."""
VERY_SURE_FACTOR = 10.0
"""A p-value below ``alpha / VERY_SURE_FACTOR`` is "very sure"; below ``alpha`` "sure"."""
STRENGTH_DECADES = 2.0
"""Drawing strength grows from 0 at ``p = alpha`` to 1 at ``p = alpha / 10**STRENGTH_DECADES``."""
STRENGTH_LEVELS = 4
"""Strengths are drawn in this many steps above 0, so runs of windows stay few."""


def confidence(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """How sure a label is, as a key of :data:`mirror.messages.CONFIDENCE`.

    ``very_sure`` below ``alpha / 10``, ``sure`` below ``alpha``, ``chance`` otherwise, and
    ``unmeasured`` when there is no p-value.
    """
    if p_value is None or not math.isfinite(float(p_value)):
        return "unmeasured"
    p = float(p_value)
    if p < alpha / VERY_SURE_FACTOR:
        return "very_sure"
    return "sure" if p < alpha else "chance"


def label_confidence(
    label: str, p_value: float | None, alpha: float = DEFAULT_ALPHA, continues: bool = False
) -> str | None:
    """How sure a window's label is (a :data:`mirror.messages.CONFIDENCE` key), or None when there is nothing to say.

    A relation that continues its neighbour's run (``continues``) is ``continues``; another
    relation (``mirror``, ``match``, ``symmetric``) gets :func:`confidence`. ``none`` is
    ``chance`` when its best candidate did not beat chance; a ``none`` whose candidate beat
    chance but scored too low for a label, and an ``insufficient`` window, get None.
    """
    if label in RELATIONS:
        return "continues" if continues else confidence(p_value, alpha)
    if label == "none" and confidence(p_value, alpha) == "chance":
        return "chance"
    return None


def confidence_word(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """:func:`confidence` in words (``very sure``, ``sure``, ``not beyond chance``, ``not measured``)."""
    return messages.CONFIDENCE[confidence(p_value, alpha)]


def strength(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> float:
    """How strongly to draw a label, in [0, 1]: 0 at ``p >= alpha``, 1 at ``p <= alpha / 100``.

    Quantised to :data:`STRENGTH_LEVELS` steps. A label without a p-value (a report from
    before calibration) is drawn at full strength, as it always was.
    """
    if p_value is None or not math.isfinite(float(p_value)):
        return 1.0
    p = max(float(p_value), 1e-300)
    raw = min(1.0, max(0.0, math.log10(alpha / p) / STRENGTH_DECADES))
    return math.ceil(raw * STRENGTH_LEVELS - 1e-9) / STRENGTH_LEVELS


def format_p(p_value: float | None) -> str:
    """A p-value as people read it: three decimals (``0.004``), one significant digit below 0.001 (``0.0004``),
    ``–`` when missing."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "–"
    p = float(p_value)
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1g}" if p >= 1e-9 else "< 1e-9"


def p_text(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """``p=0.004, sure`` (or ``no p-value`` when there is none)."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "no p-value"
    return f"p={format_p(p_value)}, {confidence_word(p_value, alpha)}"
