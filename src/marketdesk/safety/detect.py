"""One entry point for detection: ``message_check(text)`` → a verdict with kinds and reasons.

Patterns run first (cheap, explainable); the model adds what they miss. A message is flagged
when a pattern finds something or the model's probability reaches its threshold. A finding of
the model alone counts as ``contact`` (the milder kind): it has no contact or card to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marketdesk.safety.classifier import model_get
from marketdesk.safety.normalize import normalize, respelled
from marketdesk.safety.patterns import CONTACT, PAYMENT, findings


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    kinds: frozenset[str] = field(default_factory=frozenset)
    reasons: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def kind(self) -> str:
        """Return the graver kind found: payment before contact."""
        return PAYMENT if PAYMENT in self.kinds else CONTACT


def message_check(text: str) -> Verdict:
    """Return whether ``text`` tries to move payment or contact off the platform, and why."""
    norm = normalize(text)
    if not any(ch.isalnum() for ch in norm):
        return Verdict(flagged=False)
    found = findings(norm, respelled(norm))
    score = model_get().scores([text])[0]
    reasons = tuple(dict.fromkeys(f.reason for f in found))
    kinds = frozenset(f.kind for f in found)
    if not found and score >= model_get().threshold:
        reasons, kinds = ("model",), frozenset({CONTACT})
    return Verdict(flagged=bool(reasons), kinds=kinds, reasons=reasons, score=round(score, 3))
