"""The simulated marketplace's raw material: names, goods, countries and prices.

Plain data only, so that the generator stays deterministic: nothing here reads
the clock or a random source. Russian entries carry a Latin spelling for
e-mail addresses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    """Where a shop trades: its currency, language and how it usually gets paid."""

    code: str
    currency: str
    language: str
    payment_methods: tuple[str, ...]
    # Rough price level against GBP in major units, e.g. 1 GBP ~ 1.17 EUR ~ 190 JPY.
    rate: float
    shipping_major: tuple[float, ...]
    weight: int


COUNTRIES: tuple[Country, ...] = (
    Country("GB", "GBP", "en", ("card", "paypal", "apple_pay"), 1.0, (0, 2.99, 3.99, 4.99), 30),
    Country("DE", "EUR", "en", ("card", "paypal", "sepa_debit", "klarna"), 1.17, (0, 3.90, 4.90), 12),
    Country("FR", "EUR", "en", ("card", "paypal", "apple_pay"), 1.17, (0, 4.50, 5.90), 8),
    Country("US", "USD", "en", ("card", "paypal", "apple_pay", "google_pay"), 1.27, (0, 4.99, 7.99), 20),
    Country("RU", "RUB", "ru", ("card", "sbp", "yoomoney"), 115.0, (0, 199, 299, 390), 22),
    Country("JP", "JPY", "en", ("card", "konbini", "paypay"), 190.0, (0, 500, 750), 8),
)


@dataclass(frozen=True, slots=True)
class Good:
    """One kind of item: its English and Russian title, SKU stem and price in GBP."""

    sku: str
    en: str
    ru: str
    price_gbp: float


GOODS: tuple[Good, ...] = (
    Good("SCARF-WOOL", "Wool scarf", "Шерстяной шарф", 24.0),
    Good("MITTENS-KNIT", "Knitted mittens", "Вязаные варежки", 14.5),
    Good("HAT-BEANIE", "Beanie hat", "Шапка-бини", 16.0),
    Good("SOCKS-MERINO", "Merino socks, 3 pairs", "Носки из мериноса, 3 пары", 18.0),
    Good("MUG-CERAMIC", "Ceramic mug", "Керамическая кружка", 12.0),
    Good("TEAPOT-CLAY", "Clay teapot", "Глиняный чайник", 38.0),
    Good("BOWL-WOOD", "Carved wooden bowl", "Резная деревянная миска", 29.0),
    Good("SPOON-BIRCH", "Birch spoon set", "Набор берёзовых ложек", 11.0),
    Good("CANDLE-SOY", "Soy candle", "Соевая свеча", 9.5),
    Good("SOAP-HERB", "Herbal soap", "Травяное мыло", 5.5),
    Good("TOWEL-LINEN", "Linen tea towel", "Льняное полотенце", 8.0),
    Good("APRON-LINEN", "Linen apron", "Льняной фартук", 27.0),
    Good("BAG-TOTE", "Canvas tote bag", "Холщовая сумка", 15.0),
    Good("WALLET-LEATHER", "Leather wallet", "Кожаный кошелёк", 35.0),
    Good("BELT-LEATHER", "Leather belt", "Кожаный ремень", 32.0),
    Good("NOTEBOOK-A5", "A5 dotted notebook", "Блокнот A5 в точку", 7.5),
    Good("PEN-FOUNTAIN", "Fountain pen", "Перьевая ручка", 42.0),
    Good("PRINT-ART", "Art print, A3", "Художественный принт, A3", 19.0),
    Good("POSTER-MAP", "Vintage map poster", "Постер со старинной картой", 22.0),
    Good("PUZZLE-1000", "1000-piece jigsaw puzzle", "Пазл на 1000 деталей", 17.0),
    Good("BOARDGAME", "Family board game", "Семейная настольная игра", 34.0),
    Good("TOY-WOOD-TRAIN", "Wooden toy train", "Деревянный паровозик", 26.0),
    Good("DOLL-MATRYOSHKA", "Nesting doll, 5 pieces", "Матрёшка, 5 мест", 31.0),
    Good("EARRINGS-SILVER", "Silver earrings", "Серебряные серьги", 45.0),
    Good("RING-SILVER", "Silver ring", "Серебряное кольцо", 39.0),
    Good("NECKLACE-AMBER", "Amber necklace", "Янтарное ожерелье", 58.0),
    Good("PHONE-CASE", "Phone case", "Чехол для телефона", 13.0),
    Good("CABLE-USBC", "USB-C cable, 2 m", "Кабель USB-C, 2 м", 9.0),
    Good("CHARGER-65W", "65 W charger", "Зарядное устройство 65 Вт", 29.0),
    Good("HEADPHONES", "Wireless headphones", "Беспроводные наушники", 79.0),
    Good("SPEAKER-BT", "Bluetooth speaker", "Bluetooth-колонка", 49.0),
    Good("LAMP-DESK", "Desk lamp", "Настольная лампа", 36.0),
    Good("PLANT-POT", "Terracotta plant pot", "Терракотовый горшок", 14.0),
    Good("SEEDS-HERBS", "Kitchen herb seeds", "Семена пряных трав", 4.5),
    Good("TEA-BLEND", "Loose-leaf tea, 100 g", "Листовой чай, 100 г", 8.5),
    Good("COFFEE-BEANS", "Coffee beans, 250 g", "Кофе в зёрнах, 250 г", 11.0),
    Good("HONEY-LIME", "Lime-blossom honey", "Липовый мёд", 10.0),
    Good("JAM-BERRY", "Forest berry jam", "Варенье из лесных ягод", 6.5),
    Good("SWEATER-WOOL", "Wool sweater", "Шерстяной свитер", 68.0),
    Good("DRESS-LINEN", "Linen dress", "Льняное платье", 74.0),
    Good("SHIRT-COTTON", "Cotton shirt", "Хлопковая рубашка", 39.0),
    Good("SNEAKERS", "Canvas sneakers", "Кеды", 55.0),
    Good("BACKPACK", "Waxed canvas backpack", "Рюкзак из вощёного холста", 89.0),
    Good("UMBRELLA", "Folding umbrella", "Складной зонт", 21.0),
    Good("BOOK-COOK", "Cookbook", "Кулинарная книга", 24.0),
    Good("BOOK-NOVEL", "Hardback novel", "Роман в твёрдой обложке", 16.0),
    Good("VINYL-LP", "Vinyl record", "Виниловая пластинка", 27.0),
    Good("CAMERA-FILM", "Film camera, refurbished", "Плёночный фотоаппарат, восстановленный", 120.0),
)

#: The category the marketplace files each good under (the restocking fee's table reads it), by SKU stem.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "clothing": ("SCARF-", "MITTENS-", "HAT-", "SOCKS-", "APRON-", "BELT-"),
    "home": ("MUG-", "TEAPOT-", "BOWL-", "SPOON-", "CANDLE-", "TOWEL-", "LAMP-", "PLANT-"),
    "beauty": ("SOAP-",),
    "jewellery": ("EARRINGS-", "RING-", "NECKLACE-"),
    "electronics": ("PHONE-", "CABLE-", "CHARGER-", "HEADPHONES", "SPEAKER-"),
}
#: Sold as final sale (hygiene: pierced earrings and opened soap are not taken back for a change of mind).
FINAL_SALE_SKUS = frozenset({"EARRINGS-SILVER", "SOAP-HERB"})


def category_of(sku: str) -> str:
    """Return the category of a good by its SKU ("other" for the rest)."""
    return next((name for name, stems in CATEGORIES.items() if sku.startswith(stems)), "other")


SHOP_NAMES_EN_FIRST: tuple[str, ...] = (
    "Northern",
    "Harbour",
    "Copper",
    "Willow",
    "Bramble",
    "Foxglove",
    "Saltmarsh",
    "Juniper",
    "Hazel",
    "Amber",
    "Meadow",
    "Ironbridge",
    "Thistle",
    "Larkspur",
    "Oakmoss",
    "Kestrel",
    "Heather",
    "Riverside",
    "Lantern",
    "Marigold",
    "Pebble",
    "Rowan",
    "Silverbirch",
    "Tidewater",
    "Wren",
)
SHOP_NAMES_EN_SECOND: tuple[str, ...] = (
    "Threads",
    "Goods",
    "Workshop",
    "Trading Co.",
    "Supply",
    "Studio",
    "Makers",
    "Home",
    "Corner",
    "Emporium",
    "Outfitters",
    "Atelier",
    "Collective",
    "Pantry",
    "Gallery",
)
SHOP_NAMES_RU_FIRST: tuple[str, ...] = (
    "Лавка",
    "Мастерская",
    "Дом",
    "Студия",
    "Ярмарка",
    "Артель",
    "Магазин",
    "Бутик",
    "Кладовая",
    "Горница",
)
SHOP_NAMES_RU_SECOND: tuple[str, ...] = (
    "«Берёзка»",
    "«Уют»",
    "«Клюква»",
    "«Рябина»",
    "«Самовар»",
    "«Северный лён»",
    "«Жар-птица»",
    "«Теремок»",
    "«Ладья»",
    "«Сорока»",
    "«Калинка»",
    "«Медвежий угол»",
    "«Вологодское кружево»",
    "«Полянка»",
    "«Светлица»",
    "«Добрый мастер»",
    "«Хохлома»",
    "«Узоры»",
)

FIRST_NAMES_EN: tuple[str, ...] = (
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Mia",
    "Noah",
    "Grace",
    "Leo",
    "Freya",
    "Arthur",
    "Lily",
    "Oscar",
    "Emily",
    "Charlie",
    "Sophie",
    "Thomas",
    "Chloe",
    "James",
    "Ella",
    "Lucas",
    "Hannah",
    "Daniel",
    "Zara",
    "Samuel",
    "Ruby",
    "Ethan",
    "Evie",
    "Liam",
    "Olivia",
    "Mason",
    "Emma",
)
LAST_NAMES_EN: tuple[str, ...] = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Turner",
    "Murphy",
    "Kowalski",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Garcia",
)
# (Cyrillic, Latin) pairs; the surname's feminine form is built from the masculine one.
FIRST_NAMES_RU_MALE: tuple[tuple[str, str], ...] = (
    ("Александр", "alexander"),
    ("Дмитрий", "dmitry"),
    ("Максим", "maxim"),
    ("Сергей", "sergey"),
    ("Андрей", "andrey"),
    ("Алексей", "alexey"),
    ("Иван", "ivan"),
    ("Михаил", "mikhail"),
    ("Никита", "nikita"),
    ("Егор", "egor"),
    ("Павел", "pavel"),
    ("Артём", "artem"),
)
FIRST_NAMES_RU_FEMALE: tuple[tuple[str, str], ...] = (
    ("Анна", "anna"),
    ("Мария", "maria"),
    ("Елена", "elena"),
    ("Ольга", "olga"),
    ("Наталья", "natalia"),
    ("Татьяна", "tatiana"),
    ("Ирина", "irina"),
    ("Екатерина", "ekaterina"),
    ("Светлана", "svetlana"),
    ("Дарья", "daria"),
    ("Полина", "polina"),
    ("Ксения", "ksenia"),
)
LAST_NAMES_RU: tuple[tuple[str, str], ...] = (
    ("Иванов", "ivanov"),
    ("Смирнов", "smirnov"),
    ("Кузнецов", "kuznetsov"),
    ("Попов", "popov"),
    ("Васильев", "vasiliev"),
    ("Петров", "petrov"),
    ("Соколов", "sokolov"),
    ("Михайлов", "mikhailov"),
    ("Новиков", "novikov"),
    ("Фёдоров", "fedorov"),
    ("Морозов", "morozov"),
    ("Волков", "volkov"),
    ("Алексеев", "alekseev"),
    ("Лебедев", "lebedev"),
    ("Семёнов", "semenov"),
    ("Егоров", "egorov"),
    ("Павлов", "pavlov"),
    ("Козлов", "kozlov"),
    ("Степанов", "stepanov"),
    ("Николаев", "nikolaev"),
)
