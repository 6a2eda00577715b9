"""Macros: saved replies with placeholders, written, archived, previewed and used on a case."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from marketdesk.cases.models import Case
from marketdesk.cases.selectors import case_visible_to
from marketdesk.console.deadlines import Calendars, Clock, case_clocks
from marketdesk.console.models import MACRO_PLACEHOLDERS, Macro, MacroUse, macro_placeholders_check
from marketdesk.console.services.access import staff_require
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.formatting import format_moment
from marketdesk.core.money import Money

# Macros


def macro_text_check(body: str) -> str:
    """Return a macro's text trimmed; refuse an empty one, a stray brace or an unknown placeholder."""
    body = (body or "").strip()
    if not body:
        raise DomainValidationError(_("Write the text of the macro."), field="body")
    try:
        macro_placeholders_check(body)
    except ValidationError as exc:
        raise DomainValidationError(" ".join(exc.messages), field="body") from exc
    return body


def _macro_snapshot(macro: Macro) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "title": macro.title,
        "language": macro.language,
        "use": macro.use,
        "body": macro.body,
        "active": macro.active,
    }
    if macro.translation_of_id is not None:
        snapshot["translation_of"] = macro.translation_of_id
    return snapshot


def _macro_locked(actor: Actor, macro_id: int) -> Macro:
    """Lock a macro the actor may change: their marketplace's (an installation-wide one only without one)."""
    macro = Macro.objects.select_for_update().filter(pk=macro_id).first()
    if macro is None or (actor.marketplace_id is not None and macro.marketplace_id not in (None, actor.marketplace_id)):
        raise NotFound()
    if actor.marketplace_id is not None and macro.marketplace_id is None:
        raise PermissionDenied(_("This macro belongs to the whole installation; its administrators change it."))
    return macro


def _macro_original(actor: Actor, original: Macro | None, language: str) -> Macro | None:
    """Return the macro a translation belongs to (the first text, never a translation of a translation)."""
    if original is None:
        return None
    mine = Q(marketplace_id=actor.marketplace_id) if actor.marketplace_id is not None else Q(marketplace__isnull=True)
    found = Macro.objects.filter(mine, pk=original.pk).first()
    if found is None:
        raise NotFound()
    found = found.translation_of or found
    if found.language == language:
        raise DomainValidationError(_("A translation is written in another language than the macro."), field="language")
    return found


def macro_save(
    *,
    actor: Actor,
    macro: Macro | None = None,
    title: str,
    language: str,
    body: str,
    use: str = MacroUse.BOTH,
    active: bool = True,
    translation_of: Macro | None = None,
) -> Macro:
    """Create or change a macro, or add its translation (operators and administrators); placeholders are checked."""
    staff_require(actor)
    title = (title or "").strip()
    if not title:
        raise DomainValidationError(_("Give the macro a title."), field="title")
    if language not in dict(settings.LANGUAGES):
        raise DomainValidationError(_("Choose a language."), field="language")
    if use not in MacroUse.values:
        raise DomainValidationError(_("Choose where the macro is used."), field="use")
    body = macro_text_check(body)
    with transaction.atomic():
        before = None
        if macro is not None:
            macro = _macro_locked(actor, macro.pk)
            before = _macro_snapshot(macro)
            if macro.translation_of is not None and macro.translation_of.language == language:
                raise DomainValidationError(
                    _("A translation is written in another language than the macro."), field="language"
                )
        else:
            macro = Macro(
                marketplace_id=actor.marketplace_id,
                created_by=actor.user,
                translation_of=_macro_original(actor, translation_of, language),
            )
        macro.title, macro.language, macro.body, macro.use, macro.active = title, language, body, use, active
        macro.updated_at = clock.now()
        try:
            with transaction.atomic():
                macro.save()
        except IntegrityError as exc:
            taken = macro.translation_of_id is not None and (
                Macro.objects.filter(translation_of_id=macro.translation_of_id, language=language)
                .exclude(pk=macro.pk)
                .exists()
            )
            if taken:
                raise DomainValidationError(
                    _("This macro already has a translation in this language."), field="language"
                ) from exc
            raise DomainValidationError(
                _("A macro with this title already exists in this language."), field="title"
            ) from exc
        action = "macro.changed" if before else ("macro.translated" if macro.translation_of_id else "macro.created")
        audit_record(actor=actor, action=action, obj=macro, before=before, after=_macro_snapshot(macro))
        return macro


def macro_archive(*, actor: Actor, macro_id: int, active: bool) -> Macro:
    """Archive a macro (kept, no longer offered in the workspace) or bring it back."""
    staff_require(actor)
    with transaction.atomic():
        macro = _macro_locked(actor, macro_id)
        if macro.active == active:
            return macro
        macro.active = active
        macro.updated_at = clock.now()
        macro.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action="macro.restored" if active else "macro.archived",
            obj=macro,
            before={"active": not active},
            after={"active": active},
        )
        return macro


def macro_delete(*, actor: Actor, macro_id: int) -> None:
    """Delete a macro for good (its translations stay, each on its own); the audit keeps its text."""
    staff_require(actor)
    with transaction.atomic():
        macro = _macro_locked(actor, macro_id)
        snapshot = _macro_snapshot(macro)
        label, pk = str(macro), str(macro.pk)
        macro.delete()
        audit_record(
            actor=actor,
            action="macro.deleted",
            object_type=Macro._meta.label_lower,
            object_id=pk,
            object_label=label,
            before=snapshot,
        )


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def macro_values(case: Case, language: str) -> dict[str, str]:
    """Return what each placeholder stands for on this case, worded in ``language``."""
    with translation.override(language):
        clocks = case_clocks(case, Calendars())
        # A deadline that has passed is never written into a reply: the placeholder stays for the operator
        # to word what happens now, and ``macro_notice()`` says why.
        deadline = "" if not clocks else "{deadline}" if _passed(clocks[0]) else format_moment(clocks[0].due_at)
        return {
            "buyer_name": case.buyer.name,
            "order": case.order.external_id,
            "deadline": deadline,
            "amount": Money(case.order.total_minor, case.order.currency).format(language),
        }


def _macro_case(actor: Actor, case_id: int) -> Case:
    staff_require(actor)
    if not case_visible_to(actor, case_id):
        raise NotFound()
    return (
        Case.objects.select_related("buyer", "order__marketplace")
        .prefetch_related("info_requests", "decisions")
        .get(pk=case_id)
    )


def _macro_fill(body: str, case: Case, language: str) -> str:
    values = macro_values(case, language)
    assert set(values) == set(MACRO_PLACEHOLDERS)  # noqa: S101 - a new placeholder needs its value here
    return body.format_map(_Missing(values))


def macro_preview(*, actor: Actor, body: str, language: str, case_id: int) -> str:
    """Fill a macro's text (saved or not) for a case the actor may see, counting nothing."""
    case = _macro_case(actor, case_id)
    if language not in dict(settings.LANGUAGES):
        raise DomainValidationError(_("Choose a language."), field="language")
    return _macro_fill(macro_text_check(body), case, language)


def _passed(found: Clock) -> bool:
    return not found.paused and found.due_at <= clock.now()


def macro_notice(*, actor: Actor, case: Case) -> str:
    """Return what the operator should know before sending a macro on this case ("" when nothing)."""
    clocks = case_clocks(_macro_case(actor, case.pk), Calendars())
    if not clocks or not _passed(clocks[0]):
        return ""
    return str(
        _("The deadline passed on %(moment)s, so {deadline} was left in the text: write what happens now.")
        % {"moment": format_moment(clocks[0].due_at)}
    )


def macro_use(*, actor: Actor, macro: Macro, case: Case) -> str:
    """Fill a macro's placeholders for a case, count the use and return the text to insert."""
    case = _macro_case(actor, case.pk)
    if not macro.active or (
        actor.marketplace_id is not None and macro.marketplace_id not in (None, actor.marketplace_id)
    ):
        raise NotFound()
    text = _macro_fill(macro.body, case, macro.language)
    with transaction.atomic():
        Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
        audit_record(actor=actor, action="macro.used", obj=macro, after={"case_id": case.pk})
    return text
