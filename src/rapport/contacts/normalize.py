"""Normalising what people type: phones to E.164, e-mails, and keys for matching and search."""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from rapport.core.text import search_text, translit  # noqa: F401  (re-exported)

# Legal-form words that say nothing about which company it is (after transliteration).
LEGAL_FORMS = {
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "ip",
    "tov",
    "pp",
    "fop",
    "pat",
    "prat",
    "tdv",
    "kt",
    "sia",
    "as",
    "ik",
    "ps",
    "ks",
    "ltd",
    "llc",
    "inc",
    "plc",
    "gmbh",
    "ag",
    "co",
    "corp",
    "sa",
    "sp",
    "z",
    "o",
    "oy",
    "ab",
    "bv",
    "nv",
    "srl",
    "limited",
    "company",
    "the",
}


_non_word = re.compile(r"[^0-9a-z]+")


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of ``raw`` or raise a translated ValidationError."""
    text = (raw or "").strip()
    if not text:
        return ""
    if "\x00" in text or len(text) > 40:
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": text[:40]})
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number. "
                "Include the country code, e.g. +371 2000 0000."
            )
            % {"value": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=65536)
def format_phone(e164: str) -> str:
    """International display form of a stored number ("+371 26 123 456")."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    if "\x00" in text:
        raise ValidationError(_("Enter a valid e-mail address."))
    local, _sep, domain = text.rpartition("@")
    text = f"{local}@{domain.lower()}" if _sep else text
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": text[:100]}
        ) from None
    return text.lower()


def name_key(text: str, *, drop_legal_forms: bool = True) -> str:
    """A comparable key: transliterated, lower-case, punctuation and legal forms removed, sorted."""
    tokens = [t for t in _non_word.split(translit(text)) if t]
    if drop_legal_forms:
        meaningful = [t for t in tokens if t not in LEGAL_FORMS]
        tokens = meaningful or tokens
    return " ".join(sorted(tokens))[:200]


def phone_digits(e164: str) -> str:
    return re.sub(r"\D", "", e164 or "")
