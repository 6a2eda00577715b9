"""Patterns for contacts and payments that try to leave the platform, over normalised text.

Each finding has a reason code (``phone``, ``email``, ``messenger``, ``handle``, ``card``,
``payment``, ``contact``) and a kind: ``payment`` (money moved off the platform) or ``contact``
(a way to talk off it). Numbers that honest messages carry — order and tracking numbers, prices,
dates — are told from phones and cards by shape: a phone is a Russian mobile (``+7``/``8`` then
``9``, eleven digits), an international number written with ``+``, or a ten-digit number next to
a word for calling; a card is 16–19 digits from a card network's range passing the Luhn check, or
13–19 such digits next to a word for a card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marketdesk.safety.normalize import digit_runs

PAYMENT = "payment"
CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class Finding:
    reason: str
    kind: str


_CALL_WORDS = re.compile(
    r"\b(call|phone|text me|sms|whats\s?app|cell|mobile|звони|позвони|тел|телефон|смс|мобильн"
    r"|номер мой|мой номер|набери|my number|zvoni|pozvoni|telefon|moj nomer|moi nomer)"
)
_CARD_WORDS = re.compile(r"(card|карт|karty|kartu|karta|visa|mastercard|мир\b|mir\b|сбер|sber|тинькофф|tinkoff)")
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.(?:[a-z]{2,24}|рф)\b"
)
_HANDLE = re.compile(r"(?<![\w.@])@[a-z0-9_]{4,32}\b(?!\.[a-z])")
_LINKS = re.compile(r"\b(t\.me|wa\.me|vk\.com|vk\.me|instagram\.com|viber\.click|telegram\.me)/")
_MESSENGER = re.compile(
    r"\b(?!телеграмма\b)(telegram\w*|телеграм\w*|телега\w*|телеге|тг|tg|телеграме|telegramm|teleg[aeu]\b|"
    r"whats\s?app|вотсап\w*|ватсап\w*|вацап\w*|вотсапп\w*|ватсапп\w*|vatsap\w*|votsap\w*|watsap\w*|"
    r"viber|вайбер\w*|вибер\w*|vaiber\w*|vajber\w*|skype|скайп\w*|wechat|signal messenger|"
    r"вконтакте|vkontakte|инстаграм\w*|instagram|инсту|инсте|insta|директ)\b"
)
_PAYMENT = re.compile(
    r"(pay(ing)? (me )?(directly|direct|outside|off)|pay (me )?by (card|bank|transfer|cash)|"
    r"(card|bank|wire|direct) transfer|transfer (the )?(money|payment|it) (to|directly)|"
    r"send (the )?(money|payment) (to my|directly|via)|to my (card|bank account|account|paypal)|"
    r"(via|through|by|on) (paypal|western union|zelle|venmo|cash ?app|revolut|crypto|bitcoin|usdt)|"
    r"(outside|off|bypass|skip|around) (of )?(the )?(platform|site|marketplace|website)|avoid (the )?(fees|commission)|"
    r"cheaper if you pay|pay (you|me) privately|(buy|order|purchase) (it )?from me directly|"
    r"(pay|paid|send|transfer)\w* .{0,15}(crypto|bitcoin|btc|usdt)|"
    r"переве(ди|дите|сти|дешь|ду)\b.{0,30}(карт|счет|сбп|номер|напрям|сбер|тиньк)|на мой счет|на (сбер|тинькофф|тиньк|киви|qiwi|юмани)\b|напрямую у меня|у меня напрямую|на (мою|эту) карт[уы]|(кин|скин)\w* (мне )?на карт|номер (моей )?карты|"
    r"перевод(ом)? (на карту|по номеру|напрямую|через сбп)|по сбп|через сбп|сбп\b|"
    r"оплат\w* напрямую|напрямую (мне|деньги|оплат|перевед)|заплати\w* (мне )?напрямую|мимо (сайта|площадки|маркетплейса)|"
    r"минуя (сайт|площадку|маркетплейс)|без (площадки|сайта|комиссии|маркетплейса)|вне (сайта|площадки|платформы)|"
    r"скин(ь|ьте|у)\w* (мне )?(номер|карт|реквизит)|реквизит|"
    r"perevedi\w*|na kartu|nomer karty|skin'?\w* (mne )?nomer|napryamuyu|napriamuiu|mimo (saita|sajta|ploshchadki))"
)
_CONTACT = re.compile(
    r"(write (to )?me (on|in|via|at)|text me on|message me on|add me on|contact me (on|at|via|directly)|"
    r"reach me (on|at)|my (number|phone|email|e-mail|telegram|whatsapp)|find me on|"
    r"пиши\w* (мне )?(в|на) (личк|почт|телеф)|в личк|мой (номер|телефон|ник|почта|email)|моя почта|"
    r"свяжи\w* (со мной )?(напрямую|по телефону|в )|добав\w* (меня )?в (друз|контакт)|"
    r"pishi\w* (mne )?(v|na) |moj (nomer|telefon)|moi (nomer|telefon)|svyazh\w* napryamuyu)"
)


_NEGATION = re.compile(r"(\bне\b|\bnot\b|n't\b|\bnever\b|\bникогда\b|\bne\b)")


def _affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """Return whether ``pattern`` occurs somewhere not just after a negation ("не переводите вне площадки")."""
    return any(_NEGATION.search(text[max(0, m.start() - 28) : m.start()]) is None for m in pattern.finditer(text))


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn check (card numbers do)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _phone(run: str, text: str) -> bool:
    digits = run.lstrip("+")
    if re.fullmatch(r"[78]9\d{9}", digits):
        return True
    if run.startswith("+") and 10 <= len(digits) <= 15:
        return True
    return len(digits) in (10, 11) and _CALL_WORDS.search(text) is not None


def _card(run: str, text: str) -> bool:
    digits = run.lstrip("+")
    if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn_valid(digits):
        return False
    return len(digits) >= 16 or _CARD_WORDS.search(text) is not None


def findings(text: str, respelled: str = "") -> list[Finding]:
    """Return what in normalised ``text`` (and its Cyrillic respelling) moves contact or payment off the platform."""
    found: list[Finding] = []
    for run in digit_runs(text):
        if _card(run, text):
            found.append(Finding("card", PAYMENT))
        elif _phone(run, text):
            found.append(Finding("phone", CONTACT))
    both = f"{text}\n{respelled}" if respelled and respelled != text else text
    if _EMAIL.search(text):
        found.append(Finding("email", CONTACT))
    if _HANDLE.search(text) or _LINKS.search(text):
        found.append(Finding("handle", CONTACT))
    if _MESSENGER.search(both):
        found.append(Finding("messenger", CONTACT))
    if _affirmed(_PAYMENT, both):
        found.append(Finding("payment", PAYMENT))
    if _CONTACT.search(both):
        found.append(Finding("contact", CONTACT))
    return found
