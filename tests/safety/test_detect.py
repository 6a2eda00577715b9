"""Detection: normalisation, patterns and the model on their own (no database), including bad input."""

from __future__ import annotations

import pytest

from marketdesk.safety.detect import message_check
from marketdesk.safety.normalize import digit_runs, normalize
from marketdesk.safety.patterns import luhn_valid

# Normalisation


def test_zero_width_characters_inside_a_phone_number_are_removed():
    assert digit_runs(normalize("8\u200b912\u200c345\u200d67\u206089")) == ["89123456789"]


def test_latin_look_alikes_inside_a_cyrillic_word_become_cyrillic():
    # "тeлeграм" with Latin e; "нaпишитe" with Latin a and e
    assert normalize("Нaпишитe в тeлeграм") == "напишите в телеграм"


def test_cyrillic_look_alikes_inside_a_latin_word_become_latin():
    assert normalize("tеlеgrаm") == "telegram"  # Cyrillic е and а


def test_digits_spelled_out_in_russian_are_joined_into_one_number():
    text = normalize("восемь девять один два три четыре пять шесть семь восемь девять")
    assert digit_runs(text) == ["89123456789"]


def test_one_number_word_stays_a_word():
    assert normalize("I got one scarf and two hats") == "i got one scarf and two hats"


def test_spelled_at_and_dot_make_an_email():
    assert normalize("ivan собака mail точка ru") == "ivan@mail.ru"


def test_full_width_digits_are_ordinary_digits():
    assert digit_runs(normalize("８９１２３４５６７８９")) == ["89123456789"]


def test_luhn_accepts_a_test_card_and_refuses_a_changed_digit():
    assert (luhn_valid("4111111111111111"), luhn_valid("4111111111111112")) == (True, False)


# Caught


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("переведите мне на карту напрямую, пишите в телеграм", "payment"),
        ("perevedite mne na kartu napryamuyu, pishite v telegram", "payment"),
        ("skin' nomer karty, vernu den'gi", "payment"),
        ("pishite v telegram", "messenger"),
        ("Pay me by card transfer, it's cheaper", "payment"),
        ("Звоните 8 9 1 2 - 3 4 5 - 6 7 - 8 9", "phone"),
        ("my whatsapp: +44 7700 900123", "phone"),
        ("write to anna (at) shop (dot) com", "email"),
        ("telegram @fast_seller_uk", "handle"),
        ("card 4111 1111 1111 1111", "card"),
        ("8\u200b912\u200b345\u200b67\u200b89", "phone"),
        ("Нaпишитe в вoтсaп", "messenger"),
    ],
)
def test_off_platform_attempts_are_caught_with_their_reason(text, reason):
    verdict = message_check(text)
    assert verdict.flagged
    assert reason in verdict.reasons


def test_a_card_transfer_request_is_of_the_payment_kind_and_a_phone_of_the_contact_kind():
    assert (message_check("переведите на карту").kind, message_check("звоните +7 912 345 67 89").kind) == (
        "payment",
        "contact",
    )


# Not caught: honest messages and bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1 2 3 4 5 6 7 8 9 0 1 2",
        "12 15 300 2 4 8",
        "\u200b\u200b\u200b",
        "🙂🙂",
        "Ваш заказ 482913 отправлен, трек-номер RA123456789RU",
        "Tracking 9400 1000 0000 0000 0000 00 shows delivered",
        "Please call the carrier, their number is on the tracking page",
        "Цена 1 500 рублей, доставка 3-5 дней, отправлю 12.11.2026",
        "Деньги вернутся на карту, которой вы платили",
        "Сaйт пишет, что зaкaз достaвлен",
        "Order 12-345-678 is combined with order 98-765-432",
    ],
)
def test_honest_messages_and_bad_input_raise_no_alarm(text):
    assert message_check(text).flagged is False


def test_a_message_of_only_digits_and_spaces_raises_no_alarm():
    assert message_check("4 8 15 16 23 42").flagged is False


def test_empty_text_raises_no_alarm():
    assert message_check("").flagged is False


def test_a_very_long_message_is_checked_without_error():
    assert message_check("hello " * 10_000 + "telegram @late_handle").flagged is False  # cut at 20,000 characters


# Bad input named in issue #20, each on its own: digits and spaces only, invisible characters in a phone
# number, Latin look-alikes in Cyrillic words.


@pytest.mark.parametrize(
    "text",
    [
        "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "2024 2025 2026",
        "100 200 300 400 500 600",
        "1\u00a02\u00a03",
        " ".join(["7"] * 5_000),
    ],
)
def test_a_message_of_only_digits_and_spaces_is_checked_without_alarm(text):
    assert message_check(text).flagged is False


@pytest.mark.parametrize(
    "text",
    [
        "+7\u00ad912\ufeff345\u200b67\u200b89",  # soft hyphen, byte-order mark, zero-width space
        "звоните +7\u2060912\u2060345\u206067\u206089",  # word joiners
        "8\u200b9\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8\u200b9",  # one between every digit
    ],
)
def test_a_phone_number_with_invisible_characters_inside_is_caught_as_a_phone(text):
    assert "phone" in message_check(text).reasons


def test_invisible_characters_inside_an_order_number_raise_no_alarm():
    assert message_check("Заказ 482\u200b913 отправлен").flagged is False


def test_a_cyrillic_word_with_more_latin_look_alikes_than_cyrillic_letters_stays_cyrillic():
    # "TEЛEГРAM": Latin T, E, E, A, M around Cyrillic Л, Г, Р — Л and Г have no Latin look-alike
    assert normalize("ПИШИТE В TEЛEГРAM") == "пишите в телеграм"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ПИШИТE В TEЛEГРAM", "messenger"),
        ("скиньтe нoмeр кaрты", "payment"),
        ("Пeрeвeдитe нa кaрту", "payment"),
    ],
)
def test_latin_look_alikes_inside_cyrillic_words_are_caught_with_their_reason(text, reason):
    assert reason in message_check(text).reasons


@pytest.mark.parametrize(
    "text", ["Спaсибo, всё пришлo", "Тoвaр oтпрaвлeн, трeк-нoмeр в зaкaзe", "Зaкaз дoстaвлeн в пункт вывoдa"]
)
def test_latin_look_alikes_inside_honest_cyrillic_words_raise_no_alarm(text):
    assert message_check(text).flagged is False
