"""Text handling of the triage model: cleaning, transliteration, language, junk detection and the analyzer.

Everything here is a plain function of its input so that the trained pipeline
(which pickles a reference to :func:`stemmed_words`) and the checks before it
behave the same in training, evaluation, the CLI and the API.
"""

from __future__ import annotations

import html
import itertools
import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped, unused-ignore]

#: Longer requests are cut before vectorizing: the first 2,000 characters say what the request is about.
MAX_CHARS = 2000

_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,500}>")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-zа-яё]+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
# Injection attempts and code are not requests, however many words they contain.
_CODE = re.compile(
    r"drop\s+table|insert\s+into|union\s+(all\s+)?select|select\s+[\w*,\s]{1,80}\s+from\s+\w+|"
    r"delete\s+from\s+\w+\s*(where|;)|;\s*--|'\s*or\s*'?\d'?\s*=\s*'?\d|javascript:|\bfunction\s*\(|=>\s*\{",
    re.IGNORECASE,
)
_CODE_SYMBOLS = frozenset(";{}=<>$*|\\`")


def clean(text: str) -> str:
    """Return the text as the model sees it: cut, markup removed, lower case, Russian in Cyrillic, numbers as 0."""
    text = text[:MAX_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = anglicisms_russify(translit_to_cyrillic(text.lower()))
    text = _DIGITS.sub("0", text.translate(_SPELLING))
    return _SPACE.sub(" ", text).strip()


# Letters that buyers drop or swap whatever the script, and transliteration cannot tell apart:
# ё is е, э is е ("eto"), and the soft and hard signs go ("dengi", "kurer", "tolko").
_SPELLING = str.maketrans({"ё": "е", "э": "е", "ь": None, "ъ": None})


# Russian typed in Latin letters ("posylka ne prishla", "prodavec ne otvechaet", volapuk "4to", "ewe").
# No one scheme: buyers mix the passport one (kh, ts, iu), the "chat" one (h, c, ya, y, ') and volapuk
# (4 = ч, w = ш). Longest sequence first; "y" and "j" depend on their neighbours (see _latin_word_to_cyrillic).
# Packages were weighed: cyrtranslit reads GOST 7.79 (c = к, ja = жа, y = и), transliterate one fixed
# scheme; both misread how buyers type, so this small table is ours (tests/hints/test_triage_text.py).
_TRANSLIT = {
    "shch": "щ", "sch": "щ", "shh": "щ",
    "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ya": "я", "ja": "я", "yu": "ю", "ju": "ю",
    "yo": "ё", "jo": "ё", "ye": "е", "je": "е", "ts": "тс", "ph": "ф",
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т", "u": "у",
    "v": "в", "w": "ш", "x": "х", "z": "з", "'": "ь", "4": "ч",
}  # fmt: skip
_TRANSLIT_LONGEST = max(len(k) for k in _TRANSLIT)
# Words the table would misread: "j" for ж (mojno, uje, jdu), "y" alone for у.
_TRANSLIT_WORDS = {
    "y": "у", "mojno": "можно", "nelzia": "нельзя", "uje": "уже", "jdu": "жду", "jdat": "ждать",
    "nujno": "нужно", "nujen": "нужен", "nujna": "нужна", "doljen": "должен", "doljna": "должна",
    "pojaluista": "пожалуйста", "pojaluysta": "пожалуйста", "pojalujsta": "пожалуйста", "tozhe": "тоже",
    "toje": "тоже", "kajdyj": "каждый", "kajdyi": "каждый", "vajno": "важно", "jaloba": "жалоба",
}  # fmt: skip
_RU_VOWELS = frozenset("аеёиоуыэюя")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say "this Latin text is Russian" and words that say "this is English". Letters that are
# words in both ("i", "a", "no", "on", "to") count for neither.
_RU_MARKERS = _words(
    """
    ne net ya mne menya moy moj moi moya moyu moe moego vy vam vas vashe ty tebe ona oni ih ego eyo
    chto 4to shto kak gde kogda uzhe uje eshe eshche esche ewe pochemu pochemy zachem skolko pozhaluysta
    pozhalujsta pozhalusta pojaluista pzh spasibo zdravstvuyte zdravstvujte dobryy dobryj privet
    zakaz zakaza zakazu zakazal zakazala posylka posylku posylki posilka tovar tovara dengi deneg
    den'gi vozvrat vozvrata prodavec prodavca prodavets prodavtsa prodavcu magazin dostavka dostavki
    oplata oplatu karta karty kartu hochu hochy xochu nado nuzhno mozhno mojno nelzya ili est' bylo byl
    byla budet eto etot ochen vse vsyo nichego nikto uzhas prishel prishla prishlo prishli otvechaet
    otmenite otmenit vernite vernut pomenyat izmenit slomano slomalsya brak operatora chelovek chelovekom
    iz za ot dlya cherez posle
    """
)
_EN_MARKERS = _words(
    """
    the is are was were been be my me you your it its it's i'm i've this that these those of and or for
    with have has had not don't doesn't didn't can't won't cannot can could would should will where
    what when how why who which please thanks thank hello hi from but if just still yet any some ship
    want need get got
    """
)
# English and brand words that stay as they are inside transliterated Russian ("hochu refund, tracking ne
# rabotaet"): English words keep their English features, which the English rows taught the model.
_KEEP_LATIN = _EN_MARKERS | _words(
    """
    refund refunds tracking track tracker order orders seller support delivery shipping payment chargeback
    dispute email e-mail app online ok okay sorry status update iphone samsung xiaomi apple android paypal
    visa mastercard sbp sberpay ozon wildberries wb aliexpress amazon pro max mini gb xl xxl
    """
)
_LATIN_WORD = re.compile(r"[a-z4'][a-z4'-]*")
# Russian spellings English lacks, and the stems of the words buyers write most (zakaz, posylka, vernite…).
_RU_SHAPE = re.compile(
    r"zh|kh|shch|[^aeiou]y[jy]$|[aeiou]j$|[a-z]4|4[a-z]|^(zakaz|posyl|posil|tovar|deng|den'g|deneg|vozvr|prodav|"
    r"dostav|oplat|otmen|vern|pomen|izmen|zamen|soedin|perenes|otsled|otprav|poluch|prish|slom|razbi|povrezh|"
    r"spisa|magaz|podderzh|chelov|zhalob|uzhas|obman|moshen|otvet|otvech|pochem|skolk|pozhal|pojal|operatorom)"
)


def _latin_word_to_cyrillic(word: str) -> str:
    """Spell one Latin word in Cyrillic by the table, "y" and "j" by where they stand."""
    if word in _TRANSLIT_WORDS:
        return _TRANSLIT_WORDS[word]
    out: list[str] = []
    i = 0
    while i < len(word):
        if word.startswith("ts", i) and i in (0, len(word) - 2):
            out.append("ц")  # tsena, prodavets; inside a word "ts" is mostly т + с (otslezhivat, obnovlyaetsya)
            i += 2
            continue
        if word.startswith("ia", i) and i == len(word) - 2:
            out.append("ия")  # garantia, informatsia
            i += 2
            continue
        c = word[i]
        if c == "i" and i == len(word) - 1 and out and out[-1][-1] in "ыи":
            out.append("й")  # novyi, sinii → новый, синий
            i += 1
            continue
        if c in "yj" and not word.startswith(("ya", "yu", "yo", "ye", "ja", "ju", "jo", "je"), i):
            after_vowel = bool(out) and out[-1][-1] in _RU_VOWELS
            out.append("й" if after_vowel or c == "j" else "ы")  # moy, novyj → мой, новый; vy, byl → вы, был
            i += 1
            continue
        for size in range(_TRANSLIT_LONGEST, 0, -1):
            piece = word[i : i + size]
            if piece in _TRANSLIT:
                out.append(_TRANSLIT[piece])
                i += size
                break
        else:
            out.append(c)  # a hyphen, or a letter the table lacks
            i += 1
    return "".join(out)


def _looks_transliterated(words: list[str]) -> bool:
    """Tell whether Latin words are Russian rather than English: more Russian signs than English words."""
    russian = sum(1 for w in words if w in _RU_MARKERS or _RU_SHAPE.search(w))
    english = sum(1 for w in words if w in _EN_MARKERS)
    return russian > english


def translit_to_cyrillic(text: str) -> str:
    """Return lower-case text with transliterated Russian spelled in Cyrillic; English text is left as it is.

    Only a text written mostly in Latin letters whose words look Russian is
    respelled, and in it only the words that are not English or brand names.
    """
    if len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text)):
        return text  # Cyrillic with some English words ("хочу refund"): those stay English
    words = _LATIN_WORD.findall(text)
    if not _looks_transliterated(words):
        return text
    return _LATIN_WORD.sub(
        lambda m: m[0] if m[0] in _KEEP_LATIN or not _LATIN.search(m[0]) else _latin_word_to_cyrillic(m[0]), text
    )


# Anglicisms written in Cyrillic ("хочу рефанд", "трекинг не обновляется", "селлер молчит"): each is
# followed by the Russian word the rows in Cyrillic use for it, so the model reads what it already knows.
# Kept, not replaced: "хочу рефанд" is not written as "хочу возврат денег", and the held-out check of
# requests also in training compares cleaned texts.
_ANGLICISMS = {
    "зарефанд": "вернуть деньги", "рефанд": "возврат денег", "рефаунд": "возврат денег", "рифанд": "возврат денег",
    "трекинг": "отслеживание", "трэкинг": "отслеживание",
    "селлер": "продавец", "селер": "продавец", "сэллер": "продавец",
    "апрув": "одобрение", "заапрув": "одобрили",
    "кенсел": "отмена", "кэнсел": "отмена", "кансел": "отмена", "кенсл": "отмена",
    "деливери": "доставка", "шиппинг": "доставка",
    "саппорт": "поддержка", "сапорт": "поддержка", "суппорт": "поддержка",
    "пеймент": "оплата", "пэймент": "оплата", "чекаут": "оплата",
    "ордер": "заказ", "фейк": "подделка", "дамаг": "повреждение", "скам": "мошенник",
    "диспут": "спор", "фидбек": "отзыв", "фидбэк": "отзыв", "апдейт": "обновление",
}  # fmt: skip
_CYRILLIC_WORD = re.compile(r"[а-яё]+")


def _russify(match: re.Match[str]) -> str:
    word = match[0]
    for stem, russian in _ANGLICISMS.items():
        if word.startswith(stem):
            return f"{word} {russian}"
    return word


def anglicisms_russify(text: str) -> str:
    """Return lower-case text with each shopping anglicism in Cyrillic followed by the Russian word for it."""
    return _CYRILLIC_WORD.sub(_russify, text)


def script_kind(text: str) -> str:
    """Tell how a request is written: "latin" (mostly Latin letters), "mixed" (Cyrillic with English or anglicisms), "cyrillic"."""
    lowered = text.lower()
    if len(_LATIN.findall(lowered)) > len(_CYRILLIC.findall(lowered)):
        return "latin"
    english = any(len(w) > 1 for w in _LATIN_WORD.findall(lowered))
    return "mixed" if english or anglicisms_russify(lowered) != lowered else "cyrillic"


def detect_lang(text: str) -> str:
    """Return "ru" when most letters are Cyrillic, else "en" (also for no letters at all)."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ru" if cyrillic > latin else "en"


def is_junk(raw: str, cleaned: str) -> bool:
    """Tell whether a request cannot be classified: no words, another script, code or SQL."""
    letters = sum(1 for c in cleaned if c.isalpha())
    known = len(_CYRILLIC.findall(cleaned)) + len(_LATIN.findall(cleaned))
    if known < 2 or known < letters / 2:
        return True  # empty, emoji, digits only, or mostly another alphabet (Chinese, Arabic, …)
    if not any(len(w) <= 30 for w in _WORD.findall(cleaned)):
        return True  # one endless "word": a held key or a pasted blob, not a sentence
    head = raw[:MAX_CHARS]
    if _CODE.search(head):
        return True
    visible = [c for c in cleaned if not c.isspace()]
    return sum(1 for c in visible if c in _CODE_SYMBOLS) > 0.15 * len(visible)


_STEMMERS = {"en": snowballstemmer.stemmer("english"), "ru": snowballstemmer.stemmer("russian")}


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEMMERS["ru" if _CYRILLIC.match(word) else "en"].stemWord(word))


def stemmed_words(text: str) -> list[str]:
    """Analyze cleaned text into stems and stem bigrams, each word stemmed in its own language."""
    stems = [_stem(w) for w in _WORD.findall(text)]
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]
