"""What the people in simulated cases write, in English and Russian.

Simulated content, not interface text: it is stored as the parties and operators
would have typed it, so it never goes through gettext. Templates take
``{item}``, ``{shop}``, ``{order}``, ``{carrier}``, ``{amount}`` and
``{payer}``; every key is filled for every template (``case_text``).
"""

from __future__ import annotations

import random

Texts = dict[str, tuple[str, ...]]

CARRIERS: dict[str, tuple[str, ...]] = {
    "GB": ("Royal Mail", "Evri", "DPD"),
    "DE": ("DHL", "Hermes", "GLS"),
    "FR": ("La Poste", "Colissimo", "Chronopost"),
    "US": ("USPS", "UPS", "FedEx"),
    "RU": ("Почта России", "СДЭК", "Boxberry"),
    "JP": ("Japan Post", "Yamato Transport", "Sagawa"),
}

PAYER: dict[str, dict[str, str]] = {
    "en": {"seller": "paid by the seller", "platform": "paid by the platform"},
    "ru": {"seller": "за счёт продавца", "platform": "за счёт платформы"},
}

# The buyer's description when opening the case, by sub-reason (cases.help_paths).
DESCRIPTIONS: dict[str, Texts] = {
    "en": {
        "not_arrived": (
            (
                "My order still hasn't arrived. The latest estimated delivery date has passed and the tracking "
                "hasn't changed for days. I wrote to {shop} but the parcel is nowhere to be found."
            ),
            (
                "Nothing has been delivered. {carrier} tracking says the parcel is 'in transit' and that's it. "
                "I'd like my {item} or my money back."
            ),
            (
                "The tracking shows 'delivered' but nothing came: not at my door, not with the neighbours, not in "
                "the post room. I never received the {item}."
            ),
            (
                "I ordered the {item} as a birthday present and it never came. The birthday has passed now. "
                "The seller said it was shipped but couldn't give me a working tracking number."
            ),
        ),
        "delivery_stuck": (
            (
                "The parcel has been stuck at the {carrier} depot for over a week with no updates. The seller "
                "told me to wait, but the delivery date passed long ago."
            ),
            (
                "Tracking stopped at 'handed over to the carrier' and has not moved since. I've waited long "
                "enough for the {item}."
            ),
            (
                "{carrier} says the parcel is 'held for customs' and nobody can tell me for how long. "
                "The seller doesn't know either."
            ),
        ),
        "damaged": (
            (
                "The {item} arrived broken. The box was crushed on one side and the item inside was cracked. "
                "I have photos of the box and of the item."
            ),
            (
                "The {item} arrived damaged: there's a deep scratch across the front and a dent in the corner. "
                "It was clearly not packed well, there was no padding at all."
            ),
            "The {item} came torn along the seam and stained. It can't be given as a gift like this.",
        ),
        "not_as_described": (
            (
                "The {item} is not what the listing shows. The colour is completely different and it's much "
                "smaller than the measurements given."
            ),
            (
                "The listing says the {item} is handmade from natural materials, but what came is cheap synthetic "
                "and has a factory label inside."
            ),
            "The {item} looks nothing like the photos. The quality is poor and the finish is peeling already.",
        ),
        "wrong_item": (
            "I received the wrong item. I ordered the {item} and got something else entirely.",
            "Wrong size and wrong colour: the label on the package doesn't match my order at all.",
        ),
        "missing_parts": (
            "Part of my order is missing: the parcel had only some of what I paid for, and no {item}.",
            "The box arrived opened and taped up again, and the {item} was not inside.",
        ),
        "seller_silent": (
            "I've written to {shop} three times about my order and nobody answers. The order hasn't moved.",
            "The seller took my payment and went quiet. No answers to my messages, no tracking, nothing.",
        ),
        "refund_wanted": (
            (
                "The {item} started falling apart after a week of normal use: it is clearly not the quality "
                "described. The seller ignores my request for a refund."
            ),
            "I want to send the {item} back and get my money back, but the seller does not answer my return request.",
        ),
        "refund_missing": (
            "{shop} agreed to refund me for the missing item two weeks ago, but the money never arrived.",
            "The seller promised a refund and marked it as done, but nothing has reached my card.",
        ),
    },
    "ru": {
        "not_arrived": (
            (
                "Заказ так и не пришёл. Последняя дата доставки давно прошла, трекинг не меняется уже несколько "
                "дней. Писал(а) продавцу ({shop}), но посылку найти не могут."
            ),
            (
                "Ничего не доставлено. В трекинге службы доставки «{carrier}» висит «в пути» — и всё. Прошу либо "
                "доставить заказ, либо вернуть деньги."
            ),
            (
                "По трекингу посылка «вручена», но я её не получал(а): ни у двери, ни у соседей, ни в пункте "
                "выдачи. Товар «{item}» я так и не получил(а)."
            ),
            (
                "Заказывал(а) «{item}» в подарок ко дню рождения, но заказ так и не пришёл. Продавец говорит, что "
                "отправил, но рабочий трек-номер дать не смог."
            ),
        ),
        "delivery_stuck": (
            (
                "Посылка больше недели лежит на сортировке «{carrier}» без движения. Продавец просит подождать, "
                "но срок доставки давно прошёл."
            ),
            "Трекинг остановился на «передано в доставку» и с тех пор не меняется. Ждать больше не готов(а).",
            (
                "Служба доставки «{carrier}» пишет «задержано на таможне», а на сколько — никто сказать не может. Продавец тоже "
                "не знает."
            ),
        ),
        "damaged": (
            (
                "Товар «{item}» пришёл разбитым: коробка смята с одного бока, внутри трещина. Есть фото коробки и "
                "самого товара."
            ),
            (
                "Товар «{item}» пришёл повреждённым: глубокая царапина спереди и вмятина на углу. Упаковали явно плохо, "
                "никакой защиты внутри не было."
            ),
            "Товар «{item}» пришёл порванным по шву и в пятнах. Дарить такое нельзя.",
        ),
        "not_as_described": (
            "Товар «{item}» не соответствует описанию: цвет совсем другой, а размер намного меньше указанного.",
            (
                "В объявлении написано «ручная работа, натуральные материалы», а пришла дешёвая синтетика с "
                "фабричной биркой внутри."
            ),
            "Товар «{item}» совсем не похож на фото: качество плохое, покрытие уже облезает.",
        ),
        "wrong_item": (
            "Прислали не тот товар: заказывал(а) «{item}», а пришло совсем другое.",
            "Не тот размер и не тот цвет: этикетка на упаковке вообще не совпадает с моим заказом.",
        ),
        "missing_parts": (
            "Заказ пришёл не полностью: в посылке только часть оплаченного, товара «{item}» нет.",
            "Коробка пришла вскрытой и заново заклеенной, а товара «{item}» внутри не оказалось.",
        ),
        "seller_silent": (
            "Трижды писал(а) продавцу ({shop}) по поводу заказа — никто не отвечает. Заказ не движется.",
            "Продавец взял оплату и пропал: на сообщения не отвечает, трек-номера нет.",
        ),
        "refund_wanted": (
            (
                "Товар «{item}» начал разваливаться через неделю обычного использования — качество явно не то, "
                "что в описании. Продавец игнорирует просьбу о возврате денег."
            ),
            "Хочу вернуть товар «{item}» и получить деньги назад, но продавец не отвечает на запрос о возврате.",
        ),
        "refund_missing": (
            "Две недели назад продавец ({shop}) согласился вернуть деньги за недостающий товар, но деньги так и не пришли.",
            "Продавец пообещал возврат и отметил его как выполненный, но на карту ничего не поступило.",
        ),
    },
}

# The buyer adds to their side while the case is with the seller or the platform.
BUYER_EVIDENCE: dict[str, Texts] = {
    "en": {
        "delivery": (
            "Screenshot of the tracking page from today: still no movement.",
            "I checked with my neighbours and the building's post room again: nothing was left there.",
        ),
        "item": (
            "Photos attached to my messages with the seller: the box as it arrived and the item itself.",
            "Here is the listing as it was when I bought it, with the description I relied on.",
        ),
    },
    "ru": {
        "delivery": (
            "Скриншот трекинга на сегодня: движения по-прежнему нет.",
            "Ещё раз спросил(а) у соседей и в пункте выдачи: ничего не оставляли.",
        ),
        "item": (
            "Фото в переписке с продавцом: коробка, как её доставили, и сам товар.",
            "Вот объявление в том виде, в каком оно было при покупке, с описанием, на которое я ориентировался(-ась).",
        ),
    },
}

# The seller's evidence once the platform is involved.
SELLER_EVIDENCE: dict[str, Texts] = {
    "en": {
        "delivery": (
            "Proof of posting attached: the parcel was handed to {carrier} two days after the order, tracked service.",
            "{carrier} confirms delivery to the buyer's address with a photo of the parcel at the door.",
            "We opened an investigation with {carrier}; their reference is in our messages.",
        ),
        "item": (
            "Every {item} is checked and photographed before packing; the photo of this order is attached.",
            "The listing states the measurements and that colours may vary slightly on screen.",
            "We have sold over a hundred of these without a single complaint about the quality.",
        ),
    },
    "ru": {
        "delivery": (
            "Прикладываем квитанцию: посылка передана в службу доставки «{carrier}» через два дня после заказа, с трекингом.",
            "Служба доставки «{carrier}» подтверждает вручение по адресу покупателя, есть фото посылки у двери.",
            "Мы открыли розыск в службе доставки «{carrier}», номер обращения есть в переписке.",
        ),
        "item": (
            "Каждый товар мы проверяем и фотографируем перед упаковкой, фото по этому заказу прикладываем.",
            "В объявлении указаны размеры и то, что цвет на экране может немного отличаться.",
            "Мы продали больше сотни таких товаров, и жалоб на качество не было.",
        ),
    },
}

# What the seller writes with an offer, by offer kind.
OFFER_MESSAGES: dict[str, Texts] = {
    "en": {
        "full_refund": (
            "We're very sorry about this. We'll refund the full amount of the order.",
            "Apologies for the trouble: a full refund is the fairest way to settle this.",
        ),
        "partial_refund": (
            "We can offer {amount} back and you keep the item. We hope that's acceptable.",
            "Sorry it isn't what you expected. We can refund {amount} as a goodwill gesture.",
        ),
        "replacement": (
            "We'll send a replacement straight away, with tracking, at no cost to you.",
            "We have another one in stock and can ship it tomorrow.",
        ),
        "return_and_refund": (
            "Please send the item back with the prepaid label and we'll refund you in full once it arrives.",
            "We're happy to take it back: return it within 14 days and you'll get a full refund.",
        ),
        "refusal": (
            "The parcel was delivered according to {carrier}'s tracking, so we can't offer a refund.",
            "The item matches the listing exactly: measurements and materials are stated in the description.",
            "We shipped on time; delays at {carrier} are out of our hands. Please wait a few more days.",
        ),
    },
    "ru": {
        "full_refund": (
            "Очень жаль, что так вышло. Вернём полную стоимость заказа.",
            "Приносим извинения: полный возврат — самое честное решение.",
        ),
        "partial_refund": (
            "Можем вернуть {amount}, товар остаётся у вас. Надеемся, это вас устроит.",
            "Жаль, что товар не оправдал ожиданий. В качестве компенсации вернём {amount}.",
        ),
        "replacement": (
            "Сразу отправим замену с трекингом, для вас бесплатно.",
            "Есть ещё один такой же на складе, можем отправить завтра.",
        ),
        "return_and_refund": (
            (
                "Отправьте, пожалуйста, товар обратно по оплаченной накладной — вернём деньги полностью, как только "
                "он придёт."
            ),
            "Готовы принять товар обратно: верните его в течение 14 дней, и мы вернём всю сумму.",
        ),
        "refusal": (
            "По трекингу службы доставки «{carrier}» посылка вручена, поэтому вернуть деньги мы не можем.",
            "Товар полностью соответствует описанию: размеры и материалы указаны в объявлении.",
            "Мы отправили вовремя, задержки в службе доставки «{carrier}» от нас не зависят. Подождите ещё несколько дней.",
        ),
    },
}

# The buyer, after declining an offer, by the kind of offer declined.
DECLINE_NOTES: dict[str, Texts] = {
    "en": {
        "partial_refund": (
            "{amount} doesn't cover it: the item can't be used at all.",
            "I'd rather return it than keep it for {amount} off.",
        ),
        "replacement": (
            "A replacement is no use now, I needed it last week. I want a refund.",
            "I don't trust the next one to arrive either. Please refund me instead.",
        ),
        "refusal": (
            "The tracking doesn't prove anything: the parcel never reached me.",
            "The photos show the problem clearly, I don't accept the refusal.",
        ),
    },
    "ru": {
        "partial_refund": (
            "{amount} — этого мало: пользоваться товаром невозможно.",
            "Лучше верну товар, чем оставлю его со скидкой {amount}.",
        ),
        "replacement": (
            "Замена уже не нужна, мне нужно было на прошлой неделе. Прошу вернуть деньги.",
            "Не уверен(а), что следующая посылка дойдёт. Прошу вместо замены вернуть деньги.",
        ),
        "refusal": (
            "Трекинг ничего не доказывает: посылку я не получал(а).",
            "На фото проблема видна отчётливо, с отказом не согласен(на).",
        ),
    },
}

# The buyer, just before withdrawing, by what the case is about ("delivery" or "item").
WITHDRAW_NOTES: dict[str, Texts] = {
    "en": {
        "delivery": (
            "The parcel turned up today, a neighbour had taken it in. Sorry for the trouble!",
            "Found it: it was at the local pickup point all along.",
        ),
        "item": (
            "The seller and I sorted it out directly, thanks.",
            "On a second look it's fine, I'll keep it. Thanks for the quick replies.",
        ),
    },
    "ru": {
        "delivery": (
            "Посылка сегодня нашлась — её забрал сосед. Извините за беспокойство!",
            "Нашлось: посылка всё это время лежала в пункте выдачи.",
        ),
        "item": (
            "Мы с продавцом договорились напрямую, спасибо.",
            "Присмотрелся(-ась) ещё раз — всё в порядке, оставляю себе. Спасибо за быстрые ответы.",
        ),
    },
}

# The operator's question and the answer it gets, by party and what the case is about.
INFO_EXCHANGES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "en": {
        "buyer_delivery": (
            (
                "Could you check with your neighbours and your local pickup point, and tell us what you find?",
                "Neighbours haven't seen it and the pickup point has nothing under my name.",
            ),
            (
                "Is the delivery address on the order complete, including the flat number?",
                "Yes, flat 4 is on the order; other parcels reach me without trouble.",
            ),
        ),
        "buyer_item": (
            (
                "Please send photos of the item and of the packaging it arrived in, including the shipping label.",
                "Photos are in my messages with the seller: the label, the box and the item.",
            ),
            (
                "Please describe exactly what is different from the listing, with measurements if you can.",
                "It is 12 cm shorter than listed and the colour is grey, not blue.",
            ),
        ),
        "seller_delivery": (
            (
                "Please send the tracking number and proof of posting for this order.",
                "Tracking number and the posting receipt are attached in our messages.",
            ),
            (
                "Please send {carrier}'s proof of delivery with the signature or photo.",
                "{carrier} could only give us a scan at the depot, nothing after that.",
            ),
        ),
        "seller_item": (
            (
                "Do you have a photo of the {item} taken before it was packed?",
                "Yes, photo attached: the item was in perfect condition when it left us.",
            ),
            (
                "How was the {item} packed for shipping?",
                "Bubble wrap and a double-walled box, as for every order.",
            ),
        ),
    },
    "ru": {
        "buyer_delivery": (
            (
                "Уточните, пожалуйста, у соседей и в пункте выдачи и напишите, что удалось узнать.",
                "Соседи посылку не видели, в пункте выдачи на моё имя ничего нет.",
            ),
            (
                "Адрес доставки в заказе указан полностью, с номером квартиры?",
                "Да, квартира 4 указана, другие посылки доходят без проблем.",
            ),
        ),
        "buyer_item": (
            (
                "Пришлите, пожалуйста, фото товара и упаковки, в которой он пришёл, вместе с транспортной наклейкой.",
                "Фото в переписке с продавцом: наклейка, коробка и сам товар.",
            ),
            (
                "Опишите, пожалуйста, чем именно товар отличается от описания — по возможности с размерами.",
                "Он на 12 см короче, чем указано, и цвет серый, а не синий.",
            ),
        ),
        "seller_delivery": (
            (
                "Пришлите, пожалуйста, трек-номер и квитанцию об отправке этого заказа.",
                "Трек-номер и квитанция об отправке — в нашей переписке.",
            ),
            (
                "Пришлите, пожалуйста, подтверждение вручения от службы доставки «{carrier}» с подписью или фото.",
                "Служба доставки «{carrier}» дала только отметку на сортировке, дальше ничего.",
            ),
        ),
        "seller_item": (
            (
                "Есть ли у вас фото товара, сделанное перед упаковкой?",
                "Да, фото прикладываем: товар уходил от нас в идеальном состоянии.",
            ),
            (
                "Как был упакован товар для отправки?",
                "Пупырчатая плёнка и коробка из двойного картона, как для всех заказов.",
            ),
        ),
    },
}

# Internal notes: operators write to each other.
NOTES: Texts = {
    "en": (
        "Tracking stops at the depot; carrier investigation not opened by the seller.",
        "Seller has two similar cases this month. Worth a look at their packaging.",
        "Buyer's photos are clear. Waiting for the seller's side before deciding.",
        "Checked the listing history: description unchanged since the purchase.",
    ),
    "ru": (
        "Трекинг обрывается на сортировке, продавец розыск не открывал.",
        "У продавца в этом месяце ещё два похожих случая — стоит проверить упаковку.",
        "Фото покупателя чёткие. Ждём позицию продавца, потом решаем.",
        "Проверили историю объявления: описание с момента покупки не менялось.",
    ),
}

# Rationales by decision reason code.
RATIONALES: dict[str, Texts] = {
    "en": {
        "not_received_no_proof": (
            (
                "The seller could not show that order {order} was delivered: the {carrier} tracking ends before "
                "delivery. The buyer is protected and receives a full refund of {amount}, {payer}."
            ),
        ),
        "not_received_lost": (
            (
                "{carrier} has confirmed that the parcel of order {order} was lost in transit. The seller shipped on "
                "time, so the platform covers the loss: a full refund of {amount}, {payer}."
            ),
        ),
        "damaged_in_transit": (
            "The photos show the {item} was damaged in transit. The buyer receives {amount}, {payer}.",
        ),
        "not_as_described": (
            (
                "The {item} differs materially from its listing (size and material). The buyer receives {amount}, "
                "{payer}, and keeps the item."
            ),
        ),
        "wrong_item": ("The buyer received a different item than the one ordered. Refund of {amount}, {payer}.",),
        "seller_unresponsive": (
            (
                "The seller did not answer the buyer or the case within the deadline. The buyer receives a full refund "
                "of {amount}, {payer}."
            ),
        ),
        "refund_not_paid": ("The refund the seller agreed to was never paid. The buyer receives {amount}, {payer}.",),
        "delivered_with_proof": (
            "{carrier} confirms delivery of order {order} to the buyer's address with a photo. No refund is due.",
        ),
        "as_described": (
            (
                "The {item} matches its listing: the measurements and materials are stated in the description. "
                "No refund is due."
            ),
        ),
        "buyer_no_evidence": (
            (
                "We asked for photos of the {item} and its packaging and received none. Without evidence we cannot "
                "find the seller at fault."
            ),
        ),
        "outside_protection": (
            "A change of mind after normal use is not covered by buyer protection. No refund is due from {shop}.",
        ),
        "appeal_upheld": (
            (
                "A second operator reviewed the appeal and the new information. It does not change the facts: the "
                "first decision stands."
            ),
        ),
        "appeal_overturned": (
            (
                "On appeal, the new information shows the buyer did not receive what was paid for. The first decision "
                "is changed: {amount} is refunded, {payer}."
            ),
        ),
        "other": ("Having reviewed both sides, the buyer receives {amount}, {payer}.",),
    },
    "ru": {
        "not_received_no_proof": (
            (
                "Продавец не смог подтвердить доставку заказа {order}: трекинг службы доставки «{carrier}» обрывается до вручения. "
                "Покупатель защищён и получает полный возврат {amount} {payer}."
            ),
        ),
        "not_received_lost": (
            (
                "Служба доставки «{carrier}» подтвердила, что посылка по заказу {order} утеряна в пути. Продавец отправил вовремя, "
                "поэтому потерю покрывает платформа: полный возврат {amount} {payer}."
            ),
        ),
        "damaged_in_transit": (
            "По фото видно, что товар повреждён при доставке. Покупатель получает {amount} {payer}.",
        ),
        "not_as_described": (
            (
                "Товар существенно отличается от описания (размер и материал). Покупатель получает {amount} {payer} "
                "и оставляет товар себе."
            ),
        ),
        "wrong_item": ("Покупатель получил не тот товар, который заказывал. Возврат {amount} {payer}.",),
        "seller_unresponsive": (
            (
                "Продавец не ответил ни покупателю, ни по спору в установленный срок. Покупатель получает полный "
                "возврат {amount} {payer}."
            ),
        ),
        "refund_not_paid": (
            "Обещанный продавцом возврат так и не был выплачен. Покупатель получает {amount} {payer}.",
        ),
        "delivered_with_proof": (
            "Служба доставки «{carrier}» подтверждает вручение заказа {order} по адресу покупателя, есть фото. Возврат не положен.",
        ),
        "as_described": (
            "Товар соответствует описанию: размеры и материалы указаны в объявлении. Возврат не положен.",
        ),
        "buyer_no_evidence": (
            (
                "Мы запросили фото товара и упаковки, но не получили их. Без доказательств мы не можем признать "
                "вину продавца."
            ),
        ),
        "outside_protection": (
            "Передумать после обычного использования — не случай защиты покупателя. Продавец ({shop}) возврат не должен.",
        ),
        "appeal_upheld": (
            "Второй оператор рассмотрел апелляцию и новые сведения. Они не меняют фактов: первое решение остаётся в силе.",
        ),
        "appeal_overturned": (
            (
                "По апелляции новые сведения показывают, что покупатель не получил оплаченного. Первое решение "
                "изменено: возврат {amount} {payer}."
            ),
        ),
        "other": ("Рассмотрев позиции обеих сторон, покупатель получает {amount} {payer}.",),
    },
}

# Appeals: (reason, new information), by the party that appeals and what the case is about.
APPEALS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "en": {
        "buyer_delivery": (
            (
                "The photo of 'delivery' shows a door that isn't mine.",
                "My front door is blue with a brass number; the courier's photo shows a white door.",
            ),
        ),
        "buyer_item": (
            (
                "I did send photos, but to the seller, not through the case.",
                "Photos of the damage and the original packaging, taken on the day it arrived.",
            ),
        ),
        "seller_delivery": (
            (
                "The carrier found the parcel after the decision.",
                "{carrier} delivery confirmation with the buyer's signature.",
            ),
        ),
        "seller_item": (
            (
                "The buyer has since confirmed the item is fine.",
                "A message from the buyer two days after the decision thanking us for the {item}.",
            ),
        ),
    },
    "ru": {
        "buyer_delivery": (
            (
                "На фото «вручения» не моя дверь.",
                "У меня синяя дверь с латунным номером, на фото курьера — белая.",
            ),
        ),
        "buyer_item": (
            (
                "Фото я отправлял(а), но продавцу, а не в спор.",
                "Фото повреждений и оригинальной упаковки, сделанные в день получения.",
            ),
        ),
        "seller_delivery": (
            (
                "Перевозчик нашёл посылку после решения.",
                "Подтверждение вручения от службы доставки «{carrier}» с подписью покупателя.",
            ),
        ),
        "seller_item": (
            (
                "Покупатель уже подтвердил, что с товаром всё в порядке.",
                "Сообщение покупателя через два дня после решения с благодарностью за товар.",
            ),
        ),
    },
}


def case_text(rng: random.Random, choices: tuple[str, ...], **values: str) -> str:
    """Pick one template and fill it; a missing value fails loudly rather than leaving a brace."""
    return rng.choice(choices).format(**values)
