"""Reads whose SQL never changes but for a list of ids, compiled once per process.

A page of a list or of the API reads each relation of its records (tags, e-mails, phones,
employers...) with ``WHERE owner_id IN (<the page's ids>)``. The ORM builds that SQL anew every
time, and building it costs three times what running it does (0.3 ms against 0.1 ms of CPU per
read on PostgreSQL, measured with ``bench/``). ``IdsQuery`` builds it once, with two sentinel
ids, and afterwards only writes as many placeholders as there are ids; values are converted by
the ORM's own converters (SQLite's dates, booleans and JSON), so the rows are what
``values_list`` would return. ``Prepared`` is the same for a read without any variable (the
teams or tags a filter offers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from threading import Lock

from django.db import connections
from django.db.models import QuerySet

_FIRST, _SECOND = -918_273_645, -918_273_646  # never ids: stand for the list while compiling


def _convert(rows, converters, connection) -> list[tuple]:
    """Apply the ORM's converters (SQLite's dates, booleans, JSON) to raw rows."""
    if not converters:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for position, (functions, expression) in converters.items():
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        out.append(tuple(row))
    return out


class Prepared:
    """``build()`` (a ``values_list`` queryset without variables) as SQL compiled once: a
    choice list of teams or tags, read on every list page.

    ``build`` must not depend on the request, the user or the time, since its SQL is kept."""

    def __init__(self, build: Callable[[], QuerySet]):
        self.build = build
        self._compiled: dict[str, tuple] = {}
        self._lock = Lock()

    def _compiler(self, queryset: QuerySet, using: str):
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _alias, _name in compiler.select])
        return sql, list(params), converters

    def _compile(self, using: str) -> tuple:
        return self._compiler(self.build(), using)

    def compiled(self, using: str) -> tuple:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using)
                if compiled is None:
                    compiled = self._compiled[using] = self._compile(using)
        return compiled

    def execute(self, sql: str, params: list, converters, using: str) -> list[tuple]:
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _convert(rows, converters, connection)

    def rows(self, using: str = "default") -> list[tuple]:
        sql, params, converters = self.compiled(using)
        return self.execute(sql, params, converters, using)


class IdsQuery(Prepared):
    """``build().filter(<field>__in=ids)[:limit]`` as prepared SQL.

    ``build`` returns the queryset with everything but the ids (its ``values_list`` and its
    order); it must not depend on the request, the user or the time, since its SQL is kept."""

    def __init__(self, build: Callable[[], QuerySet], field: str, limit: int | None = None):
        super().__init__(build)
        self.field = field
        self.limit = limit

    def _compile(self, using: str) -> tuple:
        queryset = self.build().filter(**{f"{self.field}__in": [_FIRST, _SECOND]})
        if self.limit is not None:
            queryset = queryset[: self.limit]
        sql, params, converters = self._compiler(queryset, using)
        slot = params.index(_FIRST)
        pieces = sql.split("%s")
        if params[slot + 1] != _SECOND or len(pieces) != len(params) + 1:
            raise ValueError(f"Cannot prepare {sql!r}")
        if pieces[slot + 1] != ", ":
            raise ValueError(f"Cannot find the id list in {sql!r}")
        head = "%s".join(pieces[: slot + 1])
        tail = "%s".join(pieces[slot + 2 :])
        return head, tail, params[:slot], params[slot + 2 :], converters

    def sql(self, ids: list[int], using: str = "default") -> tuple[str, list]:
        """The SQL and parameters for these ids, to use inside a larger query."""
        head, tail, before, after, _converters = self.compiled(using)
        return head + ", ".join(["%s"] * len(ids)) + tail, [*before, *ids, *after]

    def rows(self, ids: list[int], using: str = "default") -> list[tuple]:
        if not ids:
            return []
        head, tail, before, after, converters = self.compiled(using)
        sql = head + ", ".join(["%s"] * len(ids)) + tail
        return self.execute(sql, [*before, *ids, *after], converters, using)

    def grouped(self, ids: list[int], using: str = "default") -> dict[int, list]:
        """{first column: [the rest of each row]} — a single remaining column is unwrapped."""
        out: dict[int, list] = defaultdict(list)
        for owner, *values in self.rows(ids, using):
            out[owner].append(values[0] if len(values) == 1 else tuple(values))
        return out

    def first(self, ids: list[int], using: str = "default") -> dict[int, str]:
        """{first column: the second column of its first row, "" when empty or missing}."""
        out: dict[int, str] = defaultdict(str)
        for owner, value, *_rest in self.rows(ids, using):
            out.setdefault(owner, value or "")
        return out
