"""Macros an operator may use, their families by language, and the cases a macro is previewed on."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from marketdesk.cases.models import Case
from marketdesk.console.models import Macro, MacroUse
from marketdesk.console.services.access import STAFF
from marketdesk.core.actors import Actor
from marketdesk.orders.selectors import scope_to_actor


def macros_for_actor(actor: Actor, *, use: str = "", active_only: bool = False) -> QuerySet[Macro]:
    """Return the macros an operator may use: the installation's and their marketplace's."""
    if actor.role not in STAFF:
        return Macro.objects.none()
    qs = Macro.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(Q(marketplace_id=actor.marketplace_id) | Q(marketplace__isnull=True))
    if use:
        qs = qs.filter(use__in=(use, MacroUse.BOTH))
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("language", "title", "id")


def macro_get_for_actor(actor: Actor, pk: int) -> Macro | None:
    """Return one macro the operator may use, or None."""
    return macros_for_actor(actor).filter(pk=pk).select_related("translation_of").first()


@dataclass(frozen=True)
class MacroFamily:
    """One macro and its translations: the text in each language, or None where none is written yet."""

    original: Macro
    texts: dict[str, Macro | None]
    shown: Macro  # the text in the reader's language where there is one

    @property
    def usage_count(self) -> int:
        return sum(macro.usage_count for macro in self.texts.values() if macro is not None)

    @property
    def active(self) -> bool:
        return any(macro.active for macro in self.texts.values() if macro is not None)


def macro_families_for_actor(actor: Actor, *, language: str = "") -> list[MacroFamily]:
    """Return the operator's macros, each with its translations beside it, titled in ``language`` (one query)."""
    macros = list(macros_for_actor(actor))
    by_pk = {macro.pk: macro for macro in macros}
    families: dict[int, dict[str, Macro | None]] = {}
    for macro in macros:
        root = macro.translation_of_id if macro.translation_of_id in by_pk else macro.pk
        texts = families.setdefault(root, dict.fromkeys(dict(settings.LANGUAGES)))
        texts[macro.language] = macro
    rows = [MacroFamily(by_pk[root], texts, texts.get(language) or by_pk[root]) for root, texts in families.items()]
    return sorted(rows, key=lambda row: (not row.active, row.shown.title.casefold()))


MACRO_PREVIEW_CASES = 30


def macro_preview_cases(actor: Actor) -> list[Case]:
    """Return the cases a macro may be previewed on: the operator's most recent ones."""
    if actor.role not in STAFF:
        return []
    return list(
        scope_to_actor(Case.objects.select_related("order", "buyer"), actor, order_path="order__").order_by(
            "-opened_at", "-id"
        )[:MACRO_PREVIEW_CASES]
    )
