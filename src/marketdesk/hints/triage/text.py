"""Text handling of the triage model: cleaning, language, junk detection and the stemmed analyzer.

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
    """Return the text as the model sees it: cut, markup removed, lower case, numbers as 0."""
    text = text[:MAX_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = _DIGITS.sub("0", text.lower().replace("ё", "е"))
    return _SPACE.sub(" ", text).strip()


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
