"""Amounts typed into a form: major units in the language's style ("12.50" or "12,50") to integer minor units.

Any app's form may use these; the services check the amount again against their own rules.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.money import Money, currency_exponent


class AmountField(forms.CharField):
    """An amount typed in major units ("12.50" or "12,50"), returned as minor units."""

    default_error_messages = {"invalid": _("Enter an amount such as 12.50.")}

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_decimal(self, value: str) -> Decimal | None:
        value = (value or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not amount.is_finite() or amount <= 0:
            raise forms.ValidationError(_("Amounts must be greater than zero."), code="invalid")
        return amount


def money_from(field: AmountField, raw: str, currency: str) -> Money | None:
    """Turn the typed amount into Money of the order's currency (too many decimals is an error)."""
    amount = field.to_decimal(raw)
    if amount is None:
        return None
    minor = amount.scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value():
        raise forms.ValidationError(_("Too many decimal places for %(currency)s.") % {"currency": currency})
    return Money(int(minor), currency)
