"""Choosing the confidence below which the buyer picks the reason instead of being told one."""

from __future__ import annotations

from collections.abc import Sequence

#: Of the suggestions shown, at least this share must be right…
TARGET_ACCEPTED_PRECISION = 0.95
#: …and no confidence band just above the threshold may be right less often than this.
TARGET_BAND_PRECISION = 0.75
BAND = 0.1


def threshold_choose(confidences: Sequence[float], correct: Sequence[bool]) -> float:
    """Return the lowest confidence (step 0.05) meeting both precision targets on cross-validated predictions.

    The overall target alone is too lenient when most requests are easy: the
    few uncertain ones would hide among them. The band target keeps a
    suggestion from being shown where it is wrong one time in four.
    """
    pairs = list(zip(confidences, correct, strict=True))
    for step in range(20):
        t = step / 20
        accepted = [ok for c, ok in pairs if c >= t]
        band = [ok for c, ok in pairs if t <= c < t + BAND]
        if not accepted:
            return t
        precise = sum(accepted) / len(accepted) >= TARGET_ACCEPTED_PRECISION
        if precise and (not band or sum(band) / len(band) >= TARGET_BAND_PRECISION):
            return t
    return 0.95
