"""Substring search over ``search_text``: a trigram index on PostgreSQL, FTS5 on SQLite."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from rapport.core.text import translit


def fts_table(model) -> str:
    return f"{model._meta.db_table}_fts"


def apply_search(queryset: QuerySet, term: str) -> QuerySet:
    term = " ".join((term or "").replace("\x00", "").split()).lower()[:100]
    if not term:
        return queryset
    variants = {term, translit(term)}
    if connection.vendor == "sqlite" and len(term) >= 3:
        table = fts_table(queryset.model)
        # Each variant is one quoted FTS5 phrase: trigram tokens match any substring.
        match = " OR ".join(
            '"' + v.replace('"', '""') + '"' for v in sorted(variants) if len(v) >= 3
        )
        return queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match])
        )
    from django.db.models import Q

    q = Q()
    for variant in variants:
        q |= Q(search_text__contains=variant)
    return queryset.filter(q)
