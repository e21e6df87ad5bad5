"""Text helpers for matching and search: transliteration and a searchable text column."""

from anyascii import anyascii


def translit(text: str) -> str:
    # anyascii writes the soft sign and the Ukrainian apostrophe as "'"; dropping it keeps
    # "Львівська" one word ("lvivska") for matching and search, as people type it in Latin.
    return anyascii(text or "").replace("'", "").lower()


def search_text(*parts: str) -> str:
    """Lower-case text with each part also transliterated, so "Romashka" finds "Ромашка"."""
    seen: list[str] = []
    for part in parts:
        if not part:
            continue
        lowered = part.lower()
        for variant in (lowered, translit(part)):
            if variant and variant not in seen:
                seen.append(variant)
    return " ".join(seen)
