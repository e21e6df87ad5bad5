"""Substring search over ``search_text``: a trigram index on PostgreSQL, FTS5 on SQLite."""

from __future__ import annotations

from django.db import connection, connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from rapport.core.text import translit

FEW_MATCHES = 5000


def fts_table(model) -> str:
    return f"{model._meta.db_table}_fts"


def search_sorted(queryset: QuerySet, term: str, order: tuple[str, ...]) -> QuerySet:
    """``search_matches`` ordered by ``order``, with few matches sorted from the matches (see
    ``unindexed_order``)."""
    found, few = search_matches(queryset, term)
    return found.order_by(*(unindexed_order(order) if few else order))


def unindexed_order(order) -> list:
    """``order`` (field names, ``-`` for descending) as expressions no index can serve:
    ``COALESCE(field, field)``, the same values, NULLs and collation.

    For a search with few matches (fetched by id, PostgreSQL): ordered by plain columns,
    PostgreSQL may walk a whole name index looking for the matches, expecting them spread
    along it, while matches cluster (every Cyrillic name sorts after every Latin one: 0.8 s
    for "Мишин" as a director); ordered by expressions, it sorts the matches."""
    out = []
    for name in order:
        field = name.lstrip("-")
        expression = Coalesce(F(field), F(field))
        out.append(expression.desc() if name.startswith("-") else expression.asc())
    return out


def search_matches(queryset: QuerySet, term: str) -> tuple[QuerySet, bool]:
    """(the records matching ``term``, whether they are few: fetched by id, to be sorted with
    ``unindexed_order``)."""
    term = " ".join((term or "").replace("\x00", "").split()).lower()[:100]
    if not term:
        return queryset, False
    variants = {term, translit(term)}
    if connection.vendor == "sqlite" and len(term) >= 3:
        table = fts_table(queryset.model)
        # Each variant is one quoted FTS5 phrase: trigram tokens match any substring.
        match = " OR ".join(
            '"' + v.replace('"', '""') + '"' for v in sorted(variants) if len(v) >= 3
        )
        found = queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match])
        )
    else:
        q = Q()
        for variant in variants:
            q |= Q(search_text__contains=variant)
        found = queryset.filter(q)
    if connection.vendor != "postgresql":
        return found, False
    # Guard PostgreSQL's plan: sorted by name and cut to a page, a rare term tempts its planner
    # to walk the name index testing LIKE on every row (seconds on a million rows). Few matches
    # are fetched from the trigram index first and the page is sorted from them; many matches
    # are dense enough for the ordered walk to stop early. (SQLite already starts from FTS5.)
    sql, params = found.order_by().values_list("pk").query.sql_with_params()
    with connections[found.db].cursor() as cursor:
        # A materialised CTE is planned for all its rows: a bare LIMIT would tempt PostgreSQL
        # into a sequential scan that reads every row when the matches are rare.
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) SELECT * FROM found LIMIT %s",
            [*params, FEW_MATCHES + 1],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= FEW_MATCHES:
        # One array parameter, not thousands of literals: PostgreSQL planned the page's read
        # (the page's ids AND these ids) as a parallel scan of the whole table (95 ms).
        return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids])), True
    return found, False
