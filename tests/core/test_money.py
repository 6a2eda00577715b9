"""Money: integer minor units of one known currency, never mixed, formatted per language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from marketdesk.core.errors import DomainValidationError
from marketdesk.core.money import CurrencyMismatch, Money, currency_exponent, money_sum, validate_currency


def spaces_normalized(text: str) -> str:
    """Babel separates groups with (narrow) no-break spaces; compare them as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("amount", [12.5, 12.0, True, False, "1250", Decimal("12.50"), None])
def test_amount_must_be_whole_minor_units(amount):
    with pytest.raises(DomainValidationError) as refused:
        Money(amount, "GBP")

    assert refused.value.field == "amount"


@pytest.mark.parametrize("currency", ["XYZ", "gbp", "", "POUND", None, 826])
def test_unknown_currency_is_refused(currency):
    with pytest.raises(DomainValidationError) as refused:
        Money(100, currency)

    assert refused.value.field == "currency"


def test_validate_currency_names_the_given_field():
    with pytest.raises(DomainValidationError, match="Unknown currency code ZZZ") as refused:
        validate_currency("ZZZ", field="payments.0.currency")

    assert refused.value.field == "payments.0.currency"


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (Money(1250, "GBP") + Money(250, "GBP"), Money(1500, "GBP")),
        (Money(1250, "GBP") - Money(1500, "GBP"), Money(-250, "GBP")),
        (Money(1250, "GBP") * 3, Money(3750, "GBP")),
        (3 * Money(1250, "GBP"), Money(3750, "GBP")),
        (-Money(1250, "GBP"), Money(-1250, "GBP")),
        (money_sum([Money(100, "EUR"), Money(250, "EUR")], "EUR"), Money(350, "EUR")),
        (money_sum([], "RUB"), Money(0, "RUB")),
        (Money.zero("JPY"), Money(0, "JPY")),
    ],
)
def test_arithmetic_stays_in_minor_units(result, expected):
    assert result == expected


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: money_sum([a, b], "GBP"),
    ],
    ids=["add", "subtract", "lt", "le", "gt", "ge", "sum"],
)
def test_mixing_currencies_raises_currency_mismatch(operation):
    with pytest.raises(CurrencyMismatch):
        operation(Money(100, "GBP"), Money(100, "EUR"))


@pytest.mark.parametrize("factor", [1.5, True, Decimal(2)])
def test_multiplying_by_anything_but_a_whole_number_is_refused(factor):
    with pytest.raises(TypeError):
        Money(100, "GBP") * factor


@pytest.mark.parametrize("other", [100, 1.0, Decimal(1)])
def test_adding_a_bare_number_is_refused(other):
    with pytest.raises(TypeError, match="cannot combine Money"):
        Money(100, "GBP") + other


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (Money(100, "GBP"), Money(200, "GBP"), (True, True, False, False)),
        (Money(200, "GBP"), Money(200, "GBP"), (False, True, False, True)),
        (Money(300, "GBP"), Money(200, "GBP"), (False, False, True, True)),
    ],
)
def test_comparisons_within_one_currency(left, right, expected):
    assert (left < right, left <= right, left > right, left >= right) == expected


def test_equal_amounts_in_different_currencies_are_not_equal():
    assert (Money(100, "GBP") == Money(100, "GBP"), Money(100, "GBP") == Money(100, "EUR")) == (True, False)


@pytest.mark.parametrize(("currency", "exponent"), [("JPY", 0), ("GBP", 2), ("RUB", 2), ("EUR", 2), ("KWD", 3)])
def test_currency_exponent(currency, exponent):
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("money", "decimal", "text"),
    [
        (Money(500, "JPY"), Decimal("500"), "500 JPY"),
        (Money(1250, "GBP"), Decimal("12.50"), "12.50 GBP"),
        (Money(-5, "EUR"), Decimal("-0.05"), "-0.05 EUR"),
        (Money(1234, "KWD"), Decimal("1.234"), "1.234 KWD"),
    ],
)
def test_decimal_and_str_use_the_currency_exponent(money, decimal, text):
    assert (money.decimal, str(money)) == (decimal, text)


@pytest.mark.parametrize(
    ("money", "locale", "expected"),
    [
        (Money(123450, "RUB"), "ru", "1 234,50 ₽"),
        (Money(123450, "GBP"), "en", "£1,234.50"),
        (Money(123450, "GBP"), "ru", "1 234,50 £"),
        (Money(500, "JPY"), "en", "¥500"),
        (Money(500, "JPY"), "ru", "500 ¥"),
        (Money(1250, "EUR"), "en-GB", "€12.50"),
    ],
)
def test_format_for_a_language(money, locale, expected):
    assert spaces_normalized(money.format(locale)) == expected


def test_format_uses_the_active_language():
    with translation.override("ru"):
        text = Money(123450, "RUB").format()

    assert spaces_normalized(text) == "1 234,50 ₽"
