"""Policy placeholders in article bodies: the numbers come from the policy in force when the page is read.

Two spellings: ``{{ policy.return_window_days }}`` and ``{policy:return_window_days}``. Either may
name a unit, ``{policy:return_window_days|days}``, which renders "30 days" / "30 дней" with the
plural the number needs in the article's language (Russian has three forms).
"""

from __future__ import annotations

import logging
import re

from marketdesk.core.policies import Policy

logger = logging.getLogger("marketdesk.helpcenter")

PLACEHOLDER_RE = re.compile(
    # A Markdown table cell escapes the unit's bar as "\\|"; the placeholder is filled before Markdown.
    r"\{\{\s*policy\.(?P<a>\w+)\s*(?:\\?\|\s*(?P<ua>\w+)\s*)?\}\}|\{policy:(?P<b>\w+)(?:\\?\|(?P<ub>\w+))?\}"
)

# Unit → forms: English (one, many); Russian (one, few, many) in the counted (nominative) case.
UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "hours": {"en": ("hour", "hours"), "ru": ("час", "часа", "часов")},
    "days": {"en": ("day", "days"), "ru": ("день", "дня", "дней")},
    "business_days": {
        "en": ("business day", "business days"),
        "ru": ("рабочий день", "рабочих дня", "рабочих дней"),
    },
    "mb": {"en": ("MB", "MB"), "ru": ("МБ", "МБ", "МБ")},
    "files": {"en": ("file", "files"), "ru": ("файл", "файла", "файлов")},
}


def plural_form(number: int, forms: tuple[str, ...]) -> str:
    """Pick the form of a unit for ``number`` (two forms: English rule; three: Russian rule)."""
    if len(forms) == 2:
        return forms[0] if number == 1 else forms[1]
    if number % 10 == 1 and number % 100 != 11:
        return forms[0]
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return forms[1]
    return forms[2]


def policy_fill(text: str, policy: Policy, language: str = "en") -> str:
    """Replace each policy placeholder with the rule's current number; leave unknown ones visible."""
    values = policy.values.model_dump()

    def replace(match: re.Match[str]) -> str:
        name = match.group("a") or match.group("b")
        unit = match.group("ua") or match.group("ub")
        if name not in values:
            logger.warning("Unknown policy placeholder %r in a help article", name)
            return match.group(0)
        value = values[name]
        if unit is None:
            return str(value)
        forms = UNITS.get(unit, {}).get(language) or UNITS.get(unit, {}).get("en")
        if forms is None:
            logger.warning("Unknown unit %r of policy placeholder %r in a help article", unit, name)
            return match.group(0)
        return f"{value}\u00a0{plural_form(int(value), forms)}"

    return PLACEHOLDER_RE.sub(replace, text)
