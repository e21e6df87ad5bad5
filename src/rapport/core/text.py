"""Text helpers for matching and search: transliteration and a searchable text column."""

from anyascii import anyascii


def translit(text: str) -> str:
    return anyascii(text or "").lower()


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
