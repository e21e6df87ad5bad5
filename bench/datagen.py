"""Realistic en/ru/uk/lv values for the benchmark generator and the import file.

Pure functions of a ``random.Random``: names come from Faker's locale lists (a dev dependency),
company names, phones and e-mails from small patterns per language. Nothing here touches Django.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from anyascii import anyascii
from faker.providers.person.en_US import Provider as PersonEn
from faker.providers.person.lv_LV import Provider as PersonLv
from faker.providers.person.ru_RU import Provider as PersonRu
from faker.providers.person.uk_UA import Provider as PersonUk

LANGS = ("lv", "ru", "uk", "en")
LANG_WEIGHTS = (35, 25, 25, 15)
COUNTRY = {"en": "GB", "ru": "RU", "uk": "UA", "lv": "LV"}
TLD = {"en": "co.uk", "ru": "ru", "uk": "com.ua", "lv": "lv"}
FREEMAIL = {
    "en": ("gmail.com", "outlook.com", "yahoo.co.uk"),
    "ru": ("mail.ru", "yandex.ru", "gmail.com"),
    "uk": ("ukr.net", "gmail.com", "i.ua"),
    "lv": ("inbox.lv", "gmail.com", "apollo.lv"),
}


def _names(values) -> tuple[str, ...]:
    return tuple(values.keys() if hasattr(values, "keys") else values)


@dataclass(frozen=True)
class PersonNames:
    first_male: tuple[str, ...]
    first_female: tuple[str, ...]
    last_male: tuple[str, ...]
    last_female: tuple[str, ...]
    middle_male: tuple[str, ...] = ()
    middle_female: tuple[str, ...] = ()


NAMES = {
    "ru": PersonNames(
        _names(PersonRu.first_names_male),
        _names(PersonRu.first_names_female),
        _names(PersonRu.last_names_male),
        _names(PersonRu.last_names_female),
        _names(PersonRu.middle_names_male),
        _names(PersonRu.middle_names_female),
    ),
    "uk": PersonNames(
        _names(PersonUk.first_names_male),
        _names(PersonUk.first_names_female),
        _names(PersonUk.last_names_male),
        _names(PersonUk.last_names_female),
        _names(PersonUk.middle_names_male),
        _names(PersonUk.middle_names_female),
    ),
    "lv": PersonNames(
        _names(PersonLv.first_names_male),
        _names(PersonLv.first_names_female),
        _names(PersonLv.last_names_male),
        _names(PersonLv.last_names_female),
    ),
    "en": PersonNames(
        _names(PersonEn.first_names_male),
        _names(PersonEn.first_names_female),
        _names(PersonEn.last_names),
        _names(PersonEn.last_names),
    ),
}

LEGAL_FORMS = {
    "ru": ("ООО", "ООО", "ООО", "АО", "ИП", "ПАО"),
    "uk": ("ТОВ", "ТОВ", "ТОВ", "ПП", "ФОП", "ПрАТ"),
    "lv": ("SIA", "SIA", "SIA", "AS", "IK"),
    "en": ("Ltd", "Ltd", "Ltd", "LLP", "PLC", "Group"),
}
COMPANY_WORDS = {
    "ru": (
        "Ромашка",
        "Вектор",
        "Альянс",
        "Прогресс",
        "Техностиль",
        "Северный ветер",
        "Гранит",
        "СтройИнвест",
        "Меридиан",
        "Сфера",
        "Восход",
        "Профит",
        "Элемент",
        "Спектр",
        "Импульс",
        "Логистик",
        "Агроком",
        "Энергия",
        "Кристалл",
        "Орион",
        "Стандарт",
        "Атлант",
        "Фаворит",
        "Магистраль",
        "Технопарк",
        "Медтехника",
        "Теплосеть",
        "Полимер",
        "Зенит",
        "Байкал",
    ),
    "uk": (
        "Барвінок",
        "Вектор",
        "Альянс",
        "Прогрес",
        "Техностиль",
        "Південний вітер",
        "Граніт",
        "БудІнвест",
        "Меридіан",
        "Сфера",
        "Світанок",
        "Профіт",
        "Елемент",
        "Спектр",
        "Імпульс",
        "Логістик",
        "Агроком",
        "Енергія",
        "Кришталь",
        "Оріон",
        "Стандарт",
        "Атлант",
        "Фаворит",
        "Магістраль",
        "Технопарк",
        "Медтехніка",
        "Дніпро",
        "Полімер",
        "Зеніт",
        "Карпати",
    ),
    "lv": (
        "Baltijas Koks",
        "Rīgas Tehnika",
        "Meža Serviss",
        "Dzintars",
        "Latvijas Būve",
        "Vidzemes Piens",
        "Kurzemes Enerģija",
        "Daugava",
        "Zemgales Agro",
        "Jūrmalas Viesnīca",
        "Gaujas Loģistika",
        "Ozols",
        "Liepa",
        "Saules Enerģija",
        "Baltā Bura",
        "Vējš",
        "Akmens",
        "Bišu Māja",
        "Līvu Serviss",
        "Latgales Maize",
        "Mārupes Tirdzniecība",
        "Rūpnīca",
        "Celtnieks",
        "Auto Centrs",
        "Zaļā Enerģija",
        "IT Risinājumi",
        "Dārzs",
        "Ziemeļi",
    ),
    "en": (
        "Northwind",
        "Bluebell",
        "Granite",
        "Meridian",
        "Sterling",
        "Harbour",
        "Oakridge",
        "Summit",
        "Riverside",
        "Kingfisher",
        "Beacon",
        "Crescent",
        "Pinnacle",
        "Highland",
        "Redwood",
        "Silverline",
        "Evergreen",
        "Atlas",
        "Horizon",
        "Lighthouse",
        "Westbrook",
        "Fairway",
        "Cobalt",
        "Thistle",
        "Ironbridge",
        "Ashford",
        "Brightwater",
        "Foxglove",
    ),
}
COMPANY_SUFFIX = {
    "ru": ("", "", "Групп", "Плюс", "Сервис", "Трейд", "-М", "Строй", "Холдинг"),
    "uk": ("", "", "Груп", "Плюс", "Сервіс", "Трейд", "-К", "Буд", "Холдинг"),
    "lv": ("", "", "Grupa", "Plus", "Serviss", "Trade", "Baltic", "Nord", "Holding"),
    "en": ("", "", "Systems", "Trading", "Logistics", "Consulting", "Foods", "Partners", "Energy"),
}
CITIES = {
    "ru": ("Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск"),
    "uk": ("Київ", "Львів", "Харків", "Одеса", "Дніпро"),
    "lv": ("Rīga", "Daugavpils", "Liepāja", "Jelgava", "Ventspils", "Valmiera"),
    "en": ("London", "Manchester", "Leeds", "Bristol", "Edinburgh"),
}
STREETS = {
    "ru": ("ул. Ленина", "пр. Мира", "ул. Садовая", "ул. Гагарина"),
    "uk": ("вул. Шевченка", "вул. Хрещатик", "просп. Перемоги", "вул. Франка"),
    "lv": ("Brīvības iela", "Elizabetes iela", "Krišjāņa Valdemāra iela", "Tērbatas iela"),
    "en": ("High Street", "Station Road", "Church Lane", "Victoria Road"),
}
POSITIONS = {
    "ru": (
        "Генеральный директор",
        "Менеджер по закупкам",
        "Главный бухгалтер",
        "Инженер",
        "Коммерческий директор",
        "Юрист",
        "Руководитель отдела продаж",
        "",
    ),
    "uk": (
        "Генеральний директор",
        "Менеджер із закупівель",
        "Головний бухгалтер",
        "Інженер",
        "Комерційний директор",
        "Юрист",
        "Керівник відділу продажів",
        "",
    ),
    "lv": (
        "Valdes loceklis",
        "Iepirkumu vadītājs",
        "Galvenā grāmatvede",
        "Inženieris",
        "Pārdošanas vadītājs",
        "Jurists",
        "Projektu vadītājs",
        "",
    ),
    "en": (
        "Managing Director",
        "Procurement Manager",
        "Chief Accountant",
        "Engineer",
        "Sales Director",
        "Legal Counsel",
        "Head of Operations",
        "",
    ),
}
SUBJECTS = {
    "en": (
        "Pricing question",
        "Follow-up on the offer",
        "Delivery dates",
        "Annual review",
        "Complaint about an invoice",
        "New order discussed",
        "Contract renewal",
        "Product demo",
        "Payment reminder",
        "Introductory call",
    ),
    "ru": (
        "Вопрос о ценах",
        "Обсуждение предложения",
        "Сроки поставки",
        "Годовая встреча",
        "Жалоба по счёту",
        "Обсудили новый заказ",
        "Продление договора",
        "Демонстрация продукта",
        "Напоминание об оплате",
        "Первый звонок",
    ),
    "uk": (
        "Питання щодо цін",
        "Обговорення пропозиції",
        "Терміни постачання",
        "Річна зустріч",
        "Скарга щодо рахунку",
        "Обговорили нове замовлення",
        "Продовження договору",
        "Демонстрація продукту",
        "Нагадування про оплату",
        "Перший дзвінок",
    ),
    "lv": (
        "Jautājums par cenām",
        "Piedāvājuma apspriešana",
        "Piegādes termiņi",
        "Gada tikšanās",
        "Sūdzība par rēķinu",
        "Apspriests jauns pasūtījums",
        "Līguma pagarināšana",
        "Produkta demonstrācija",
        "Atgādinājums par maksājumu",
        "Iepazīšanās zvans",
    ),
}
BODIES = {
    "en": "Agreed to send the updated price list and call back next week.",
    "ru": "Договорились отправить обновлённый прайс-лист и перезвонить на следующей неделе.",
    "uk": "Домовилися надіслати оновлений прайс-лист і передзвонити наступного тижня.",
    "lv": "Vienojāmies nosūtīt atjaunoto cenrādi un piezvanīt nākamnedēļ.",
}

_slug_re = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _slug_re.sub("", anyascii(text).lower())


def pick_lang(rng: random.Random) -> str:
    return rng.choices(LANGS, LANG_WEIGHTS)[0]


def company_name(rng: random.Random, lang: str) -> tuple[str, str]:
    """(display name, the word its domain is made of)."""
    word = rng.choice(COMPANY_WORDS[lang])
    if rng.random() < 0.35:
        word = rng.choice(NAMES[lang].last_male)
    suffix = rng.choice(COMPANY_SUFFIX[lang])
    core = f"{word} {suffix}".strip() if suffix and not suffix.startswith("-") else word + suffix
    form = rng.choice(LEGAL_FORMS[lang])
    if lang == "en":
        return f"{core} {form}", core
    if lang == "lv":
        return f'{form} "{core}"', core
    return f"{form} «{core}»", core


def tax_number(rng: random.Random, lang: str) -> str:
    if lang == "lv":
        return f"LV4000{rng.randrange(10**7):07d}"
    if lang == "uk":
        return f"{rng.randrange(10**7, 10**8)}"
    if lang == "ru":
        return f"{rng.randrange(10**9, 10**10)}"
    return f"GB{rng.randrange(10**8, 10**9)}"


def landline(rng: random.Random, lang: str) -> str:
    if lang == "lv":
        return f"+37167{rng.randrange(10**6):06d}"
    if lang == "uk":
        return f"+38044{rng.randrange(10**6, 10**7)}"
    if lang == "ru":
        return f"+7495{rng.randrange(10**6, 10**7)}"
    return f"+44207{rng.randrange(10**6, 10**7)}"


def mobile(rng: random.Random, lang: str) -> str:
    if lang == "lv":
        return f"+3712{rng.randrange(10**6, 10**7)}"
    if lang == "uk":
        return f"+380{rng.choice(('67', '50', '63', '97'))}{rng.randrange(10**6, 10**7)}"
    if lang == "ru":
        return f"+79{rng.choice(('12', '16', '26', '85'))}{rng.randrange(10**6, 10**7)}"
    return f"+447{rng.choice(('4', '5', '7', '8'))}{rng.randrange(10**7, 10**8)}"


def person_name(rng: random.Random, lang: str) -> tuple[str, str, str]:
    names = NAMES[lang]
    if rng.random() < 0.5:
        first, last, middle = names.first_male, names.last_male, names.middle_male
    else:
        first, last, middle = names.first_female, names.last_female, names.middle_female
    patronymic = rng.choice(middle) if middle and rng.random() < 0.7 else ""
    return rng.choice(first), patronymic, rng.choice(last)


def person_emails(rng: random.Random, lang: str, first: str, last: str, domain: str) -> list[str]:
    f, la = slug(first), slug(last)
    out = []
    roll = rng.random()
    if roll < 0.85:
        out.append(f"{f[:1]}.{la}@{domain}" if rng.random() < 0.5 else f"{f}.{la}@{domain}")
    if roll > 0.75:
        out.append(f"{f}.{la}{rng.randrange(1, 999)}@{rng.choice(FREEMAIL[lang])}")
    return list(dict.fromkeys(out))


def person_phones(rng: random.Random, lang: str) -> list[str]:
    roll = rng.random()
    out = []
    if roll < 0.7:
        out.append(mobile(rng, lang))
    if roll > 0.55:
        out.append(landline(rng, lang))
    return list(dict.fromkeys(out))
