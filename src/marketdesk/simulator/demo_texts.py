"""The demo's macros (English with their Russian translations) and the demo seller's quick replies."""

from __future__ import annotations

from marketdesk.accounts.models import User
from marketdesk.console.models import Macro, MacroUse
from marketdesk.console.services.macros import macro_save
from marketdesk.core.actors import Actor
from marketdesk.messaging.models import QuickReply
from marketdesk.messaging.services import quick_reply_save
from marketdesk.orders.models import Marketplace

# (use, English title, English text, Russian title, Russian text)
MACROS = (
    (
        MacroUse.REPLY,
        "Ask the seller for tracking",
        (
            "Hello, this is marketplace support about order {order}. Please share the tracking number "
            "or proof of shipment by {deadline}, so we can resolve {buyer_name}'s case."
        ),
        "Запрос трек-номера у продавца",
        (
            "Здравствуйте! Это поддержка маркетплейса по заказу {order}. Пришлите, пожалуйста, трек-номер "
            "или подтверждение отправки до {deadline}, чтобы мы могли решить обращение покупателя {buyer_name}."
        ),
    ),
    (
        MacroUse.REPLY,
        "Ask the buyer for photos",
        (
            "Hello {buyer_name}, thank you for writing. Please add photos of the item and its packaging "
            "to the case by {deadline}; they help us decide quickly."
        ),
        "Попросить фото у покупателя",
        (
            "Здравствуйте, {buyer_name}! Спасибо за обращение. Добавьте, пожалуйста, фото товара и упаковки "
            "к обращению до {deadline} — так мы решим быстрее."
        ),
    ),
    (
        MacroUse.RATIONALE,
        "Refund: not received",
        (
            "The tracking shows no delivery of order {order} and the seller gave no proof of delivery. "
            "We refund {amount} to the buyer."
        ),
        "Возврат: заказ не получен",
        (
            "По отслеживанию заказ {order} не доставлен, подтверждения доставки продавец не предоставил. "
            "Возвращаем покупателю {amount}."
        ),
    ),
    (
        MacroUse.RATIONALE,
        "Refused: delivered as described",
        (
            "The item of order {order} was delivered and matches its listing; the photos show no fault. "
            "We close the case without a refund."
        ),
        "Отказ: товар соответствует описанию",
        (
            "Товар по заказу {order} доставлен и соответствует описанию, на фото дефектов не видно. "
            "Закрываем обращение без возврата денег."
        ),
    ),
    (
        MacroUse.BOTH,
        "We are looking into it",
        (
            "Hello {buyer_name}, we have your case about order {order} and are looking into it. "
            "You will hear from us by {deadline}."
        ),
        "Мы разбираемся",
        "Здравствуйте, {buyer_name}! Мы получили обращение по заказу {order} и разбираемся. Ответим вам до {deadline}.",
    ),
)

# (language, title, text)
QUICK_REPLIES = (
    (
        "en",
        "Shipped today",
        "Thank you for your order! It left our warehouse today; the tracking number is in the order.",
    ),
    (
        "en",
        "Send a photo",
        "Sorry about that. Could you send a photo of the item and the label, so we can sort it out?",
    ),
    ("en", "Refund on its way", "We have started your refund; your bank usually shows it within 3–5 working days."),
    ("ru", "Отправили сегодня", "Спасибо за заказ! Он сегодня уехал со склада, трек-номер есть в заказе."),
    ("ru", "Пришлите фото", "Извините за неудобство. Пришлите, пожалуйста, фото товара и этикетки — мы разберёмся."),
    ("ru", "Деньги возвращены", "Мы оформили возврат; обычно банк зачисляет деньги за 3–5 рабочих дней."),
)


def demo_texts_ensure(*, marketplace: Marketplace, admin: User, seller: User) -> None:
    """Write the demo's macros and the seller's quick replies once (repeat calls change nothing)."""
    staff = Actor.for_user(admin)
    for use, title_en, body_en, title_ru, body_ru in MACROS:
        if Macro.objects.filter(marketplace=marketplace, title=title_en, language="en").exists():
            continue
        original = macro_save(actor=staff, title=title_en, language="en", body=body_en, use=use)
        macro_save(actor=staff, title=title_ru, language="ru", body=body_ru, use=use, translation_of=original)
    shop_id = seller.memberships.values_list("shop_id", flat=True).order_by("shop_id").first()
    if shop_id is None:
        return
    owner = Actor.for_user(seller)
    for language, title, body in QUICK_REPLIES:
        if not QuickReply.objects.filter(shop_id=shop_id, title=title).exists():
            quick_reply_save(actor=owner, shop_id=shop_id, title=title, body=body, language=language)
