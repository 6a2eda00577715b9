"""The help center's starting articles, in English and Russian, each pair sharing a key.

Numbers of rules are policy placeholders, so publishing a new policy updates every article.
The seed migration loads these once; later edits happen in the admin.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from marketdesk.helpcenter.content.en import ARTICLES_EN
from marketdesk.helpcenter.content.ru import ARTICLES_RU

# A fixed namespace makes each pair's translation group the same on every installation.
TRANSLATION_NAMESPACE = uuid.UUID("6f1d7c1e-3b0a-4c55-9a3e-0d6c2b9e4a11")

# slug, English name, Russian name, English description, Russian description
CATEGORIES: list[tuple[str, str, str, str, str]] = [
    ("delivery", "Delivery", "Доставка", "Tracking, late or lost parcels, changing the address.",
     "Отслеживание, задержка или потеря посылки, смена адреса."),
    ("item", "Item problems", "Проблемы с товаром", "Damaged, wrong or not as described.",
     "Повреждён, не тот или не соответствует описанию."),
    ("seller", "Seller", "Продавец", "Talking to the seller, offers, a seller who does not answer.",
     "Переписка с продавцом, предложения, продавец не отвечает."),
    ("returns", "Returns", "Возвраты", "Sending an item back and getting your money.",
     "Как вернуть товар и получить деньги."),
    ("refund", "Refunds", "Возврат денег", "When and how refunds reach you.",
     "Когда и как к вам приходит возврат денег."),
    ("payment", "Payment", "Оплата", "Declined payments, double charges, receipts.",
     "Отклонённые платежи, двойное списание, чеки."),
    ("cases", "Buyer protection", "Защита покупателя", "Cases, decisions and appeals.",
     "Споры, решения и апелляции."),
    ("account", "Account", "Аккаунт", "Language, notifications, attachments and privacy.",
     "Язык, уведомления, вложения и приватность."),
    ("other", "Other", "Другое", "Contacting support and everything else.",
     "Связь с поддержкой и всё остальное."),
]  # fmt: skip


@dataclass(frozen=True)
class SeedArticle:
    key: str
    category: str
    position: int
    language: str
    slug: str
    title: str
    body: str

    @property
    def translation_group(self) -> uuid.UUID:
        return uuid.uuid5(TRANSLATION_NAMESPACE, self.key)


def seed_articles() -> list[SeedArticle]:
    """Return every starting article; both languages cover the same keys."""
    found: list[SeedArticle] = []
    for language, table in (("en", ARTICLES_EN), ("ru", ARTICLES_RU)):
        for position, (key, (category, slug, title, body)) in enumerate(table.items()):
            found.append(SeedArticle(key, category, position, language, slug, title, body.strip() + "\n"))
    return found
