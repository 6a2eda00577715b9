"""Money as integer minor units plus an ISO 4217 currency code.

Never a float: amounts are counted in the currency's smallest unit (cents,
kopecks, yen), and two amounts in different currencies never mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision, list_currencies
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketdesk.core.errors import DomainValidationError


@cache
def known_currencies() -> frozenset[str]:
    """Return the ISO 4217 codes this installation accepts."""
    return frozenset(list_currencies())


def currency_exponent(currency: str) -> int:
    """Return how many decimal places a currency's minor unit has (JPY 0, EUR 2)."""
    return int(get_currency_precision(currency))


def validate_currency(currency: str, *, field: str = "currency") -> str:
    """Return the code if it is a known ISO 4217 currency, else raise a field error."""
    if not isinstance(currency, str) or currency not in known_currencies():
        raise DomainValidationError(_("Unknown currency code %(code)s.") % {"code": currency}, field=field)
    return currency


class CurrencyMismatch(DomainValidationError):
    default_message = _("Amounts in different currencies cannot be combined.")
    code = "currency_mismatch"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise DomainValidationError(_("Amounts are whole numbers of minor units."), field="amount")
        validate_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch()
        return other

    def __add__(self, other: object) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: object) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money is multiplied by whole numbers only")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    @property
    def decimal(self) -> Decimal:
        """The amount in major units, exact (for display and export only)."""
        return Decimal(self.amount).scaleb(-currency_exponent(self.currency))

    def format(self, locale: str | None = None) -> str:
        """Format for people in the active (or given) language: "£12.50", "RUB 4,289.00" or "4 289,00 ₽".

        The one helper for money shown to people (pages, e-mails, notifications); exports keep minor units.
        """
        lang = (locale or get_language() or "en").replace("-", "_")
        found, pattern = _currency_pattern(lang)
        # Babel's format_currency with its defaults, less the locale parse and pattern lookup on every call
        # (a page of 50 amounts paid for them 50 times).
        return _currency_spaced(pattern.apply(self.decimal, found, currency=self.currency, currency_digits=True))

    def __str__(self) -> str:
        return f"{self.decimal} {self.currency}"


@cache
def _currency_pattern(lang: str) -> tuple[Locale, NumberPattern]:
    """Return the language's locale and its standard currency pattern, parsed once per process."""
    found = Locale.parse(lang)
    return found, found.currency_formats["standard"]


# CLDR's currencySpacing, which Babel leaves out: a symbol made of letters (a code such as RUB) is kept
# apart from the digits by a no-break space, so English reads "RUB 4,289.00", not "RUB4,289.00".
_LETTERS_THEN_DIGIT = re.compile(r"^([-\u2212]?[^\W\d_]+)(?=[\d])")
_DIGIT_THEN_LETTERS = re.compile(r"(?<=\d)([^\W\d_]+)$")


def _currency_spaced(text: str) -> str:
    text = _LETTERS_THEN_DIGIT.sub("\\1\u00a0", text)
    return _DIGIT_THEN_LETTERS.sub("\u00a0\\1", text)


def money_sum(items: list[Money], currency: str) -> Money:
    """Add up amounts of one currency; an empty list is zero."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
