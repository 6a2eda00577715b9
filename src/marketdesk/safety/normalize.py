"""Normalisation before detection: undo what people do to slip contacts past a filter.

NFKC (full-width digits, ligatures), zero-width characters removed, Latin look-alikes inside
Cyrillic words mapped to Cyrillic (and back), digits written as words turned into digits,
"at"/"dot"/"собака"/"точка" turned into ``@`` and ``.``, and digit groups split by spaces,
dashes or dots joined into one run. Every function is pure, so training, evaluation and the
hook see the same text.
"""

from __future__ import annotations

import re
import unicodedata

from marketdesk.triage.text import translit_to_cyrillic

#: Longer messages are cut: a contact hidden after 20,000 characters is not worth the time.
MAX_CHARS = 20_000

# Zero-width and invisible formatting characters (and the soft hyphen).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"[ \t\u00a0]+")

_LATIN_TO_CYRILLIC = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")
_CYRILLIC_TO_LATIN = str.maketrans("аеорсхукмтнв", "aeopcxykmthb")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_MIXED_WORD = re.compile(r"[a-zа-яё]+")
_CYRILLIC_ONLY = re.compile(r"[бгдежзийлпфцчшщъыьэюяё]")
_LATIN_ONLY = re.compile(r"[dfgijlnqrsuvwz]")

_NUMBER_WORDS = {
    # English
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    # Russian
    "ноль": "0", "нуль": "0", "один": "1", "одна": "1", "два": "2", "две": "2", "три": "3",
    "четыре": "4", "пять": "5", "шесть": "6", "семь": "7", "восемь": "8", "девять": "9",
    # Russian typed in Latin letters
    "nol": "0", "odin": "1", "dva": "2", "tri": "3", "chetyre": "4", "pyat": "5", "pjat": "5",
    "shest": "6", "sem": "7", "vosem": "8", "devyat": "9", "devjat": "9",
}  # fmt: skip
_NUMBER_TOKEN = r"(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r"|\d{1,4})"
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")
# Only a run of three or more numbers in a row is a number being spelled out ("one item" is not).
_NUMBER_RUN = re.compile(r"\b" + _NUMBER_TOKEN + r"(?:[\s,.-]+" + _NUMBER_TOKEN + r"\b){2,}")

_AT = re.compile(r"\s*(?:[\[(<{]\s*(?:at|собака|sobaka)\s*[\])>}]|\s(?:at|собака|собачка|sobaka)\s)\s*")
_DOT = re.compile(r"\s*(?:[\[(<{]\s*(?:dot|точка|tochka)\s*[\])>}]|\s(?:dot|точка|тчк|tochka)\s)\s*")
# Digit groups separated by what people put between them: spaces, dashes, dots, brackets, slashes.
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s().\-_/]{0,3}\d)+")


def _fix_script(match: re.Match[str]) -> str:
    word = match.group(0)
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if not cyrillic or not latin:
        return word
    # A letter with no look-alike in the other script says which script the word is ("тeлeгрaм" keeps its
    # л and г however many Latin letters were slipped in); only a word without one goes by the majority.
    only_cyrillic = bool(_CYRILLIC_ONLY.search(word))
    to_cyrillic = only_cyrillic if only_cyrillic != bool(_LATIN_ONLY.search(word)) else cyrillic >= latin
    return word.translate(_LATIN_TO_CYRILLIC if to_cyrillic else _CYRILLIC_TO_LATIN)


def letters_fix(text: str) -> str:
    """Return ``text`` with look-alike letters inside a word of the other script replaced."""
    return _MIXED_WORD.sub(_fix_script, text)


def _number_words(text: str) -> str:
    return _NUMBER_RUN.sub(lambda run: _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1)], run.group(0)), text)


def normalize(text: str) -> str:
    """Return ``text`` as detection reads it: NFKC, lower case, no invisible characters, look-alikes fixed."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS])
    text = _INVISIBLE.sub("", text).lower().replace("ё", "е")
    text = letters_fix(text)
    text = _number_words(text)
    text = _AT.sub("@", text)
    text = _DOT.sub(".", text)
    return _SPACE.sub(" ", text).strip()


def digit_runs(text: str) -> list[str]:
    """Return every run of digits in normalised ``text`` with its separators removed (a leading ``+`` kept)."""
    runs = []
    for match in _DIGIT_RUN.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        runs.append(("+" if raw.startswith("+") else "") + digits)
    return runs


def respelled(text: str) -> str:
    """Return normalised ``text`` with Russian typed in Latin letters respelled in Cyrillic."""
    return translit_to_cyrillic(text)
