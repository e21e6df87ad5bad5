"""Which columns an import understands, and how header names map to them (en/ru/uk/lv)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.core import custom_fields
from rapport.core.custom_fields import definitions_for
from rapport.core.text import translit


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


COMPANY_FIELDS = [
    ImportField(
        "name",
        pgettext_lazy("company", "Name"),
        (
            "company",
            "company name",
            "название",
            "назва",
            "nosaukums",
            "компания",
            "компанія",
            "uznēmums",
            "organization",
        ),
    ),
    ImportField("kind", _("Type"), ("type", "тип", "veids")),
    ImportField(
        "legal_name",
        _("Legal name"),
        ("юридическое название", "юридична назва", "juridiskais nosaukums"),
    ),
    ImportField(
        "tax_number",
        _("Tax number"),
        ("vat", "inn", "инн", "ипн", "pvn", "tax id", "єдрпоу", "edrpou", "pvn numurs"),
    ),
    ImportField(
        "registry_number", _("Registry number"), ("reg no", "огрн", "reģ nr", "registration number")
    ),
    ImportField("industry", _("Industry"), ("отрасль", "галузь", "nozare")),
    ImportField("website", _("Website"), ("site", "web", "сайт", "mājaslapa", "url")),
    ImportField("phone", _("Phone"), ("telephone", "тел", "телефон", "tālrunis", "tel")),
    ImportField("email", _("E-mail"), ("mail", "e-mail", "почта", "пошта", "e-pasts")),
    ImportField("street", _("Street and house"), ("address", "адрес", "адреса", "adrese", "iela")),
    ImportField("city", _("City"), ("город", "місто", "pilsēta", "town")),
    ImportField(
        "postal_code", _("Postal code"), ("zip", "postcode", "индекс", "індекс", "pasta indekss")
    ),
    ImportField("country", _("Country"), ("страна", "країна", "valsts")),
    ImportField("tags", _("Tags"), ("теги", "теґи", "birkas")),
    ImportField("notes", _("Notes"), ("comment", "комментарий", "коментар", "piezīmes")),
    ImportField("source_detail", _("Source details"), ("source", "источник", "джерело", "avots")),
]

PERSON_FIELDS = [
    ImportField(
        "full_name",
        _("Full name"),
        ("name", "fio", "фио", "піб", "vārds uzvārds", "contact", "контакт"),
    ),
    ImportField(
        "first_name", _("First name"), ("firstname", "given name", "имя", "ім'я", "імя", "vārds")
    ),
    ImportField(
        "middle_name",
        _("Middle name / patronymic"),
        ("отчество", "по батькові", "patronymic", "middle"),
    ),
    ImportField(
        "last_name",
        _("Last name"),
        ("lastname", "surname", "family name", "фамилия", "прізвище", "uzvārds"),
    ),
    ImportField("emails", _("E-mail"), ("email", "mail", "e-mail", "почта", "пошта", "e-pasts")),
    ImportField("phones", _("Phone"), ("phone", "mobile", "телефон", "tālrunis", "tel", "тел")),
    ImportField(
        "company", _("Company"), ("organization", "org", "компания", "компанія", "uzņēmums")
    ),
    ImportField("position", _("Position"), ("title", "job title", "должность", "посада", "amats")),
    ImportField(
        "birthday",
        _("Birthday"),
        ("birth date", "дата рождения", "дата народження", "dzimšanas diena", "bday"),
    ),
    ImportField("preferred_language", _("Language"), ("язык", "мова", "valoda", "lang")),
    ImportField("tags", _("Tags"), ("теги", "теґи", "birkas")),
    ImportField("notes", _("Notes"), ("comment", "комментарий", "коментар", "piezīmes")),
    ImportField("source_detail", _("Source details"), ("source", "источник", "джерело", "avots")),
]

TARGETS = {"company": COMPANY_FIELDS, "person": PERSON_FIELDS}
CUSTOM_TARGET = {"company": "contacts.company", "person": "contacts.person"}


def fields_for(target: str) -> list[ImportField]:
    fields = list(TARGETS[target])
    for definition in definitions_for(CUSTOM_TARGET[target]):
        fields.append(
            ImportField(
                f"{custom_fields.PREFIX}{definition.key}", definition.label, (definition.key,)
            )
        )
    return fields


def _norm(text: str) -> str:
    return " ".join(translit(str(text)).replace("_", " ").replace("-", " ").split())


def guess_mapping(target: str, headers: list[str]) -> dict[str, str]:
    """Column index (as text) -> field key, by matching header names in any of our languages."""
    lookup: dict[str, str] = {}
    for field in fields_for(target):
        for name in (field.key, str(field.label), *field.aliases):
            lookup.setdefault(_norm(name), field.key)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        key = lookup.get(_norm(header))
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    return mapping
