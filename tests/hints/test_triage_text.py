"""Triage text: Russian typed in Latin letters is read in Cyrillic, English stays English, anglicisms become Russian."""

from __future__ import annotations

import pytest

from marketdesk.triage.text import anglicisms_russify, clean, detect_lang, script_kind, translit_to_cyrillic

TRANSLITERATED = [
    ("posylka ne prishla", "посылка не пришла"),
    ("prodavec ne otvechaet uzhe nedelyu", "продавец не отвечает уже неделю"),
    ("gde moj zakaz", "где мой заказ"),  # j after a vowel is й
    ("gde moy zakaz", "где мой заказ"),  # and so is y
    ("vy uzhasny", "вы ужасны"),  # y after a consonant is ы
    ("uzhasnyj servis", "ужасный сервис"),
    ("hochu vernut den'gi", "хочу вернут деньги"),  # ' is ь
    ("zaderzhka dostavki kakaya", "задержка доставки какая"),
    ("4to s zakazom", "что с заказом"),  # volapuk: 4 is ч
    ("ewe ne prishlo", "еше не пришло"),  # volapuk: w is ш
    ("eto moya posylka", "ето моя посылка"),  # cleaning reads э as е in Cyrillic too
    ("prodavets ne otvechaet", "продавец не отвечает"),  # ts that ends or opens a word is ц
    ("trek ne obnovlyaetsya", "трек не обновляется"),  # inside, т + с
    ("garantia na tovar", "гарантия на товар"),
    ("novyi telefon slomalsya", "новый телефон сломался"),
    ("y menya mojno uje", "у меня можно уже"),  # the words the table would misread
    ("shchetka ne rabotaet, ya zhdu", "щетка не работает, я жду"),
    ("kogda vernut dengi za zakaz", "когда вернут денги за заказ"),
    ("soedinite s operatorom", "соедините с оператором"),
]


@pytest.mark.parametrize(("latin", "cyrillic"), TRANSLITERATED)
def test_transliterated_russian_is_spelled_in_cyrillic(latin, cyrillic):
    assert translit_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    "english",
    [
        "where is my order",
        "i want to cancel my order please",
        "cancel pls",
        "do ya ship to canada",
        "whats ur policy on late deliveries",
        "i need an operator",
        "wrong size sent. ordered l got s",
        "the item arrived broken",
    ],
)
def test_english_is_left_as_it_is(english):
    assert translit_to_cyrillic(english) == english


def test_english_words_and_brands_inside_transliterated_russian_stay_english():
    assert translit_to_cyrillic("hochu refund za iphone, tracking ne rabotaet") == (
        "хочу refund за iphone, tracking не работает"
    )


def test_latin_words_inside_cyrillic_text_stay_english():
    assert translit_to_cyrillic("хочу refund за заказ") == "хочу refund за заказ"


def test_anglicisms_in_cyrillic_are_followed_by_the_russian_words():
    assert [anglicisms_russify(t) for t in ("хочу рефанд", "трекинг не обновляется", "селлеру пофиг")] == [
        "хочу рефанд возврат денег",
        "трекинг отслеживание не обновляется",
        "селлеру продавец пофиг",
    ]


def test_cleaning_drops_the_letters_transliteration_loses_in_both_scripts():
    assert clean("Это деньги курьеру, подъезд 2") == clean("eto dengi kureru, podezd 2") == "ето денги куреру, подезд 0"


def test_cleaning_reads_transliterated_russian_as_russian():
    cleaned = clean("Posylka NE prishla, zakaz 48213")

    assert (cleaned, detect_lang(cleaned)) == ("посылка не пришла, заказ 0", "ru")


def test_the_way_a_request_is_written_is_told_apart():
    assert [script_kind(t) for t in ("posylka ne prishla", "хочу рефанд", "где мой order", "где посылка")] == [
        "latin",
        "mixed",
        "mixed",
        "cyrillic",
    ]
