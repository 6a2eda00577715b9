"""How delivery reads on a page: the stage indicator, flag labels and badge tones."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.shipping.states import STAGES, TrackingStatus

STAGE_LABELS: dict[str, Promise] = {
    "ordered": _("Ordered"),
    "handed_over": _("Handed to the carrier"),
    "in_transit": _("On its way"),
    "out_for_delivery": _("Out for delivery"),
    "delivered": _("Delivered"),
}
FLAG_LABELS: dict[str, Promise] = {
    "late_to_ship": _("Late to ship"),
    "delayed": _("Delayed"),
    "stalled": _("Stalled"),
    "likely_lost": _("Likely lost"),
}
STATUS_TONES: dict[str, str] = {
    TrackingStatus.DELIVERED: "success",
    TrackingStatus.EXCEPTION: "warning",
    TrackingStatus.FAILED_ATTEMPT: "warning",
    TrackingStatus.RETURNING_TO_SENDER: "warning",
    TrackingStatus.RETURNED: "muted",
    TrackingStatus.EXPIRED: "muted",
}


@dataclass(frozen=True, slots=True)
class Stage:
    code: str
    label: str
    state: str  # "done", "current" or "todo"


def stages_of(status: str) -> list[Stage]:
    """Return the stage indicator for a tracking status: done, current and to-do steps."""
    current = next(i for i, (_code, statuses) in enumerate(STAGES) if status in statuses)
    return [
        Stage(code, str(STAGE_LABELS[code]), "done" if i < current else "current" if i == current else "todo")
        for i, (code, _statuses) in enumerate(STAGES)
    ]


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "info")
