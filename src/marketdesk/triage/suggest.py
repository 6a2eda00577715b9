"""The triage suggestion the product shows: the model's answer and whether the buyer must choose."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from marketdesk.core.errors import DomainValidationError
from marketdesk.core.policies import policy_current

#: The longest request accepted; the model itself reads only the first 2,000 characters.
MAX_TEXT_LENGTH = 20_000


@dataclass(frozen=True, slots=True)
class TriageSuggestion:
    label: str
    confidence: float
    lang: str
    alternatives: list[tuple[str, float]]
    needs_choice: bool
    model_version: str


def triage_suggest(*, text: str) -> TriageSuggestion:
    """Suggest the reason of a buyer's request; below the policy's confidence the buyer chooses."""
    if not text.strip():
        raise DomainValidationError(_("Describe your problem in a few words."), field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainValidationError(
            _("This is too long: at most %(max)s characters.") % {"max": MAX_TEXT_LENGTH}, field="text"
        )
    # Imported here: scikit-learn costs ~120 MB, paid only by processes that classify.
    from marketdesk.triage.model import model_get

    model = model_get()
    prediction = model.predict([text])[0]
    threshold = policy_current().triage_min_confidence_bp / 10000
    return TriageSuggestion(
        label=prediction.label,
        confidence=prediction.confidence,
        lang=prediction.lang,
        alternatives=prediction.alternatives,
        needs_choice=prediction.confidence < threshold,
        model_version=model.version,
    )
