"""Seeded articles that named Get help options and buttons that never existed now name the real ones.

Only articles still holding one of the retracted names are rewritten: an administrator's own fix stays.
"""

from functools import partial

from django.db import migrations

from marketdesk.helpcenter.content.loader import seed_refresh

RETRACTED = (
    "*Parcel lost*",
    "*Cancel order*",
    "*Change address*",
    "*Arrived damaged*",
    "*Seller not responding*",
    "*Refund not received*",
    "→ *Return*",
    "→ *Other*",
    "choose *Item*",
    "**Ask marketdesk to step in**",
    "**Escalate** on the return",
    "**Exchange**",
    "press **Appeal**",
    "Attach files straight to your reply",
    "write to the seller. Add photos or documents",
    "«Посылка потерялась»",
    "«Отменить заказ»",
    "«Изменить адрес»",
    "«Пришёл повреждённым»",
    "«Деньги не пришли»",
    "→ «Возврат».",
    "**Попросить marketdesk",
    "**Передать в поддержку**",
    "**Обмен**",
    "**Обжаловать**",
    "прикладывайте прямо к ответу",
    "напишите продавцу. Приложите фото или документы",
)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0004_seed_more_articles")]

    operations = [migrations.RunPython(partial(seed_refresh, retracted=RETRACTED), migrations.RunPython.noop)]
