"""Words of an article or a query: tokens, stems and the few Russian stem alternations.

The SQLite index stores stems computed here, and queries on both databases are
built from the same tokens, so what an article is found by is decided in one place.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # the package ships no type hints

from marketdesk.helpcenter.placeholders import PLACEHOLDER_RE

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40

_STEMMER_NAMES = {"en": "english", "ru": "russian"}

# Words too common to narrow a search (the PostgreSQL configurations drop these too).
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "can",
            "do",
            "does",
            "did",
            "for",
            "from",
            "get",
            "got",
            "has",
            "have",
            "how",
            "i",
            "if",
            "in",
            "is",
            "it",
            "its",
            "me",
            "my",
            "no",
            "not",
            "of",
            "on",
            "or",
            "our",
            "so",
            "that",
            "the",
            "their",
            "there",
            "this",
            "to",
            "was",
            "we",
            "what",
            "when",
            "where",
            "which",
            "who",
            "why",
            "will",
            "with",
            "you",
            "your",
        ]
    ),
    "ru": frozenset(
        [
            "а",
            "без",
            "бы",
            "в",
            "во",
            "вы",
            "да",
            "для",
            "до",
            "же",
            "за",
            "и",
            "из",
            "или",
            "им",
            "их",
            "к",
            "как",
            "ко",
            "когда",
            "ли",
            "мне",
            "мой",
            "моя",
            "мы",
            "на",
            "над",
            "не",
            "нет",
            "ни",
            "но",
            "о",
            "об",
            "от",
            "по",
            "под",
            "при",
            "с",
            "со",
            "так",
            "то",
            "у",
            "уже",
            "что",
            "чтобы",
            "это",
            "я",
            "ещё",
            "еще",
            "если",
            "где",
            "кто",
            "чем",
        ]
    ),
}

# Russian alternates consonants inside one root (возврат / возвращу, оплатить / оплачу); the
# stemmer keeps both spellings, so a query stem also tries its partner.
_RU_ALTERNATIONS = (("щ", "т"), ("ч", "т"), ("ж", "д"))


@functools.cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))


def words(text: str) -> list[str]:
    """Return the lower-case words of ``text`` (placeholders removed, ё as е)."""
    text = PLACEHOLDER_RE.sub(" ", text).lower().replace("ё", "е")
    return [w for w in WORD_RE.findall(text) if len(w) <= MAX_WORD_LENGTH]


@functools.lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """Return the stem of one lower-case word (memoized: help text has a small vocabulary)."""
    return str(_stemmer(language).stemWord(word))


def stemmed(text: str, language: str) -> str:
    """Return ``text`` as space-separated stems: what the SQLite index stores."""
    return " ".join(stem(w, language) for w in words(text))


def query_words(query: str, language: str) -> list[str]:
    """Return the words of a query worth searching for, at most ``MAX_QUERY_WORDS``."""
    stop = STOPWORDS.get(language, frozenset())
    found = [w for w in words(query) if w not in stop]
    return list(dict.fromkeys(found))[:MAX_QUERY_WORDS]


def stem_variants(word: str, language: str) -> list[str]:
    """Return the stem of a query word and, in Russian, its alternated partners."""
    base = stem(word, language)
    variants = [base]
    if language == "ru" and len(base) > 3:
        for soft, hard in _RU_ALTERNATIONS:
            if base.endswith(soft):
                variants.append(base[: -len(soft)] + hard)
            elif base.endswith(hard):
                variants.append(base[: -len(hard)] + soft)
    return variants
